package org.calmworkbench.backend.io;

import static org.calmworkbench.backend.io.RawSafetensors.concat;
import static org.calmworkbench.backend.io.RawSafetensors.f32;
import static org.calmworkbench.backend.io.RawSafetensors.file;
import static org.calmworkbench.backend.io.RawSafetensors.withHeaderLength;
import static org.calmworkbench.backend.io.RawSafetensors.zeros;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.calmworkbench.backend.CalmException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every defect of a safetensors file must come out as a CalmException naming the file (and the
 * tensor, where one is at fault), never as an OutOfMemoryError, NegativeArraySizeException or a raw
 * JSON exception.
 */
class SafetensorsCorruptionTest {

  @TempDir Path dir;

  /** One tensor "w" of dtype F32 and shape [2]: {@code entry} is its header object. */
  private static String oneTensor(String entry) {
    return "{\"w\": " + entry + "}";
  }

  static Stream<Arguments> corruptFiles() {
    String w2 = "{\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}";
    return Stream.of(
        Arguments.of("empty file", new byte[0], "only 0 bytes"),
        Arguments.of("shorter than 8 bytes", new byte[] {1, 2, 3, 4, 5}, "only 5 bytes"),
        Arguments.of("header length 2^40", withHeaderLength(1L << 40, "{}".getBytes()),
            "1099511627776"),
        Arguments.of("header length 2^64-1", withHeaderLength(-1L, "{}".getBytes()),
            "18446744073709551615"),
        Arguments.of("header length one past the end", withHeaderLength(3, "{}".getBytes()),
            "truncated or not a safetensors file"),
        Arguments.of("header not JSON", file("{\"w\": [1, 2", zeros(0)), "not valid JSON"),
        Arguments.of("header is a JSON array", file("[1, 2]", zeros(0)), "not an object"),
        Arguments.of("header is empty", file("", zeros(0)), "not valid JSON"),
        Arguments.of("garbage after the header object", file("{} x", zeros(0)), "malformed JSON at line 1 column 5"),
        Arguments.of("two JSON objects", file("{} {}", zeros(0)), "not valid JSON"),
        Arguments.of("entry not an object", file(oneTensor("3"), zeros(0)), "tensor w"),
        Arguments.of("dtype missing",
            file(oneTensor("{\"shape\": [2], \"data_offsets\": [0, 8]}"), zeros(8)), "\"dtype\""),
        Arguments.of("shape missing",
            file(oneTensor("{\"dtype\": \"F32\", \"data_offsets\": [0, 8]}"), zeros(8)), "\"shape\""),
        Arguments.of("negative dimension",
            file(oneTensor("{\"dtype\": \"F32\", \"shape\": [-1, 2], \"data_offsets\": [0, 8]}"),
                zeros(8)), "non-negative"),
        Arguments.of("fractional dimension",
            file(oneTensor("{\"dtype\": \"F32\", \"shape\": [2.5], \"data_offsets\": [0, 8]}"),
                zeros(8)), "non-negative integers"),
        Arguments.of("dimension of 2^31",
            file(oneTensor("{\"dtype\": \"F32\", \"shape\": [2147483648], \"data_offsets\": [0, 8]}"),
                zeros(8)), "below 2^31"),
        Arguments.of("absurd shape (element count overflows)",
            file(oneTensor("{\"dtype\": \"F32\", \"shape\": [2147483647, 2147483647, 2147483647],"
                + " \"data_offsets\": [0, 8]}"), zeros(8)), "absurdly large"),
        Arguments.of("huge shape with matching offsets in a small file",
            file(oneTensor("{\"dtype\": \"F32\", \"shape\": [1000000, 1000000],"
                + " \"data_offsets\": [0, 4000000000000]}"), zeros(8)), "truncated"),
        Arguments.of("offsets reversed",
            file(oneTensor("{\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [8, 0]}"),
                zeros(8)), "data_offsets"),
        Arguments.of("negative offset",
            file(oneTensor("{\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [-8, 0]}"),
                zeros(8)), "data_offsets"),
        Arguments.of("one offset only",
            file(oneTensor("{\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0]}"), zeros(8)),
            "data_offsets"),
        Arguments.of("offsets disagree with dtype x shape",
            file(oneTensor("{\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 12]}"),
                zeros(12)), "needs 8 bytes"),
        Arguments.of("offsets past the data section",
            file(oneTensor("{\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]}"),
                zeros(8)), "truncated"),
        Arguments.of("data section cut short",
            file("{\"a\": " + w2 + ", \"b\": {\"dtype\": \"F32\", \"shape\": [2],"
                + " \"data_offsets\": [8, 16]}}", zeros(15)), "tensor b"),
        Arguments.of("overlapping tensors",
            file("{\"a\": " + w2 + ", \"b\": {\"dtype\": \"F32\", \"shape\": [2],"
                + " \"data_offsets\": [4, 12]}}", zeros(12)), "overlap"),
        Arguments.of("hole between tensors",
            file("{\"a\": " + w2 + ", \"b\": {\"dtype\": \"F32\", \"shape\": [2],"
                + " \"data_offsets\": [12, 20]}}", zeros(20)), "belong to no tensor"),
        Arguments.of("bytes after the last tensor",
            file(oneTensor(w2), zeros(12)), "cover only 8"),
        Arguments.of("tensor named twice",
            file("{\"a\": " + w2 + ", \"a\": " + w2 + "}", zeros(16)), "appears twice"),
        Arguments.of("metadata not an object",
            file("{\"__metadata__\": [1], \"a\": " + w2 + "}", zeros(8)), "__metadata__"),
        Arguments.of("metadata value not a string",
            file("{\"__metadata__\": {\"step\": 3}, \"a\": " + w2 + "}", zeros(8)), "\"step\""),
        Arguments.of("unknown dtype",
            file(oneTensor("{\"dtype\": \"Q4\", \"shape\": [2], \"data_offsets\": [0, 8]}"),
                zeros(8)), "Q4"),
        Arguments.of("integer dtype",
            file(oneTensor("{\"dtype\": \"I64\", \"shape\": [1], \"data_offsets\": [0, 8]}"),
                zeros(8)), "I64"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corruptFiles")
  void corruptFileGivesCalmExceptionNamingTheFile(String label, byte[] content, String fragment)
      throws IOException {
    Path file = dir.resolve("broken-model.safetensors");
    Files.write(file, content);
    CalmException e = assertThrows(CalmException.class, () -> Safetensors.read(file), label);
    assertTrue(e.getMessage().contains(file.toString()), "no file name in: " + e.getMessage());
    assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
    assertFalse(e.getMessage().contains("Strictness") || e.getMessage().contains("https://"),
        "Gson's advice for programmers leaked into: " + e.getMessage());
  }

  @Test
  void unsupportedDtypeMessageNamesFileTensorAndDtype() throws IOException {
    Path file = dir.resolve("quantised.safetensors");
    Files.write(file, file("{\"encoder.norm.weight\": {\"dtype\": \"Q4\", \"shape\": [2],"
        + " \"data_offsets\": [0, 1]}}", zeros(1)));
    CalmException e = assertThrows(CalmException.class, () -> Safetensors.read(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("encoder.norm.weight"), e.getMessage());
    assertTrue(e.getMessage().contains("\"Q4\""), e.getMessage());
  }

  @Test
  void invalidUtf8HeaderIsReportedAsSuch() throws IOException {
    Path file = dir.resolve("latin1.safetensors");
    byte[] header = {'{', '"', (byte) 0xff, '"', ':', '1', '}'};
    Files.write(file, withHeaderLength(header.length, header));
    CalmException e = assertThrows(CalmException.class, () -> Safetensors.read(file));
    assertTrue(e.getMessage().contains("UTF-8") && e.getMessage().contains(file.toString()),
        e.getMessage());
  }

  @Test
  void hugeHeaderLengthIsRefusedQuicklyWithoutAllocating() throws IOException {
    Path file = dir.resolve("huge-header.safetensors");
    Files.write(file, withHeaderLength(1L << 40, concat("{}".getBytes(), zeros(64))));
    // Allocating 2^40 bytes would throw OutOfMemoryError (not a CalmException) or take long.
    CalmException e = assertTimeoutPreemptively(Duration.ofSeconds(2),
        () -> assertThrows(CalmException.class, () -> Safetensors.read(file)));
    assertTrue(e.getMessage().contains("header length"), e.getMessage());
  }

  @Test
  void headerLengthAboveTheFormatLimitIsRefused() throws IOException {
    Path file = dir.resolve("big-header.safetensors");
    long tooLong = Safetensors.MAX_HEADER_BYTES + 8;
    // A sparse file long enough to hold the claimed header, so only the limit can refuse it.
    Files.write(file, withHeaderLength(tooLong, "{}".getBytes()));
    try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {' '}), 8 + tooLong);
    }
    CalmException e = assertThrows(CalmException.class, () -> Safetensors.read(file));
    assertTrue(e.getMessage().contains("limit"), e.getMessage());
  }

  @Test
  void missingFileGivesCalmExceptionNamingIt() {
    Path file = dir.resolve("does-not-exist.safetensors");
    CalmException e = assertThrows(CalmException.class, () -> Safetensors.read(file));
    assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("not found"),
        e.getMessage());
  }

  @Test
  void folderGivesCalmExceptionNamingIt() {
    CalmException e = assertThrows(CalmException.class, () -> Safetensors.read(dir));
    assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("folder"),
        e.getMessage());
  }

  @Test
  void readHeaderAppliesTheSameChecks() throws IOException {
    Path file = dir.resolve("cut.safetensors");
    Files.write(file, file(oneTensor("{\"dtype\": \"F32\", \"shape\": [4],"
        + " \"data_offsets\": [0, 16]}"), f32(1f, 2f)));
    CalmException e = assertThrows(CalmException.class, () -> Safetensors.readHeader(file));
    assertTrue(e.getMessage().contains("tensor w") && e.getMessage().contains("truncated"),
        e.getMessage());
  }
}
