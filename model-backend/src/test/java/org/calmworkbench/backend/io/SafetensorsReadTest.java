package org.calmworkbench.backend.io;

import static org.calmworkbench.backend.io.RawSafetensors.concat;
import static org.calmworkbench.backend.io.RawSafetensors.f32;
import static org.calmworkbench.backend.io.RawSafetensors.f64;
import static org.calmworkbench.backend.io.RawSafetensors.file;
import static org.calmworkbench.backend.io.RawSafetensors.u16;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** Reading files built byte by byte (not by our writer), so reading is checked on its own. */
class SafetensorsReadTest {

  @TempDir Path dir;

  @Test
  void readsF16AsTheExactHalfValues() throws IOException {
    Path file = dir.resolve("half.safetensors");
    Files.write(file, file(
        "{\"h\": {\"dtype\": \"F16\", \"shape\": [2, 3], \"data_offsets\": [0, 12]}}",
        u16(0x3c00, 0xc000, 0x0001, 0x7bff, 0x8000, 0xfc00)));
    Tensor h = Safetensors.read(file).tensor("h");
    assertArrayEquals(new int[] {2, 3}, h.shape());
    assertArrayEquals(
        new float[] {1f, -2f, 0x1p-24f, 65504f, -0f, Float.NEGATIVE_INFINITY}, h.data());
  }

  @Test
  void readsBf16AsTheTopHalfOfFloat32() throws IOException {
    Path file = dir.resolve("bf16.safetensors");
    Files.write(file, file(
        "{\"b\": {\"dtype\": \"BF16\", \"shape\": [4], \"data_offsets\": [0, 8]}}",
        u16(0x3f80, 0xc0a0, 0x4049, 0x0001)));
    Tensor b = Safetensors.read(file).tensor("b");
    assertArrayEquals(new float[] {1f, -5f, 3.140625f, Float.intBitsToFloat(0x00010000)}, b.data());
  }

  @Test
  void readsF64NarrowedToFloat() throws IOException {
    Path file = dir.resolve("f64.safetensors");
    Files.write(file, file(
        "{\"d\": {\"dtype\": \"F64\", \"shape\": [3], \"data_offsets\": [0, 24]}}",
        f64(Math.PI, -1e-300, 1e300)));
    assertArrayEquals(new float[] {(float) Math.PI, -0f, Float.POSITIVE_INFINITY},
        Safetensors.read(file).tensor("d").data());
  }

  @Test
  void readsMixedDtypesWithMetadataAndSpacePaddedHeader() throws IOException {
    Path file = dir.resolve("mixed.safetensors");
    String header = "{\"__metadata__\": {\"format\": \"pt\"},"
        + " \"z\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
        + " \"a\": {\"dtype\": \"BF16\", \"shape\": [1, 1], \"data_offsets\": [8, 10]}}     ";
    Files.write(file, file(header, concat(f32(0.5f, -0.25f), u16(0x4000))));
    SafetensorsFile read = Safetensors.read(file);
    assertEquals(List.of("z", "a"), List.copyOf(read.tensors().keySet())); // header order
    assertEquals(Map.of("format", "pt"), read.metadata());
    assertArrayEquals(new float[] {0.5f, -0.25f}, read.tensor("z").data());
    assertArrayEquals(new float[] {2f}, read.tensor("a").data());
  }

  @Test
  void readsATensorLargerThanOneReadChunk() throws IOException {
    int n = 700_000; // 2.8 MB: spans three 1 MB chunks
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = i * 0.5f - 7f;
    }
    Path file = dir.resolve("chunks.safetensors");
    Files.write(file, file("{\"x\": {\"dtype\": \"F32\", \"shape\": [" + n
        + "], \"data_offsets\": [0, " + 4 * n + "]}}", f32(values)));
    assertArrayEquals(values, Safetensors.read(file).tensor("x").data());
  }

  /**
   * A 2.4 GB file (sparse: the zeros take no disk) whose last tensor starts beyond 2^31: offsets
   * must be longs. Only the small tensor is read, so the test needs little memory.
   */
  @Test
  @EnabledOnOs({OS.LINUX, OS.MAC}) // sparse files; elsewhere this would write 2.4 GB of zeros
  void readsTensorsBeyondTwoGigabytes() throws IOException {
    long bigBytes = 2L * 1_200_000_000;
    String header = "{\"big\": {\"dtype\": \"F16\", \"shape\": [1200000000], \"data_offsets\": [0, "
        + bigBytes + "]}, \"tail\": {\"dtype\": \"F32\", \"shape\": [2, 2], \"data_offsets\": ["
        + bigBytes + ", " + (bigBytes + 16) + "]}}";
    byte[] headerBytes = header.getBytes(StandardCharsets.UTF_8);
    Path file = dir.resolve("large.safetensors");
    Files.write(file, file(header, new byte[0]));
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ByteBuffer tail = ByteBuffer.wrap(f32(1f, 2f, 3f, -4f)).order(ByteOrder.LITTLE_ENDIAN);
      ch.write(tail, 8L + headerBytes.length + bigBytes);
    }
    assertTrue(Files.size(file) > (1L << 31));

    SafetensorsHeader h = Safetensors.readHeader(file);
    assertEquals(bigBytes, h.entries().get("tail").begin());
    SafetensorsFile read = Safetensors.read(file, "tail"::equals);
    assertArrayEquals(new float[] {1f, 2f, 3f, -4f}, read.tensor("tail").data());
    assertEquals(1, read.tensors().size());
  }
}
