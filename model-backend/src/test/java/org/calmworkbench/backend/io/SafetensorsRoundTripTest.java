package org.calmworkbench.backend.io;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SafetensorsRoundTripTest {

  @TempDir Path dir;

  /** Floats that break naive encoders: signed zero, subnormals, extremes, infinities, NaNs. */
  private static final float[] SPECIAL = {
    0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, 1e-40f, Float.MIN_NORMAL, Float.MAX_VALUE,
    -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
    Float.intBitsToFloat(0x7fc12345), Float.intBitsToFloat(0xff800001), 1f, -1.5f, (float) Math.PI,
  };

  private static Map<String, Tensor> sampleTensors() {
    Random random = new Random(42);
    float[] weights = new float[5 * 7];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = (float) random.nextGaussian();
    }
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    tensors.put("special", new Tensor("special", new int[] {4, 4}, SPECIAL.clone()));
    tensors.put("encoder.w", new Tensor("encoder.w", new int[] {5, 7}, weights));
    tensors.put("scalar", new Tensor("scalar", new int[] {}, new float[] {2.5f}));
    tensors.put("empty", new Tensor("empty", new int[] {0, 3}, new float[0]));
    return tensors;
  }

  /** Same bits, except that any NaN matches any NaN (payloads are not promised). */
  private static void assertSameFloats(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++) {
      if (Float.isNaN(expected[i])) {
        assertTrue(Float.isNaN(actual[i]), what + "[" + i + "] should be NaN");
      } else {
        assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
            what + "[" + i + "] = " + expected[i]);
      }
    }
  }

  @Test
  void f32RoundTripIsBitIdentical() {
    Path file = dir.resolve("model.safetensors");
    Map<String, Tensor> tensors = sampleTensors();
    Map<String, String> metadata = Map.of("step", "120", "note", "<ünïcode & \"quotes\">");
    Safetensors.write(file, tensors, metadata);

    SafetensorsFile read = Safetensors.read(file);
    assertEquals(tensors.keySet(), read.tensors().keySet());
    for (Tensor expected : tensors.values()) {
      Tensor actual = read.tensor(expected.name());
      assertArrayEquals(expected.shape(), actual.shape(), expected.name());
      assertSameFloats(expected.data(), actual.data(), expected.name());
    }
    assertEquals(metadata, read.metadata());
  }

  @Test
  void tensorsAreStoredInSortedNameOrder() {
    Path file = dir.resolve("sorted.safetensors");
    Safetensors.write(file, sampleTensors(), Map.of());
    List<String> names = new ArrayList<>(Safetensors.read(file).tensors().keySet());
    List<String> sorted = new ArrayList<>(names);
    Collections.sort(sorted);
    assertEquals(sorted, names);
    assertEquals(List.of("empty", "encoder.w", "scalar", "special"), names);
  }

  @Test
  void equalTensorsGiveIdenticalFilesWhateverTheMapOrder() throws IOException {
    Map<String, Tensor> forward = sampleTensors();
    List<String> keys = new ArrayList<>(forward.keySet());
    Collections.reverse(keys);
    Map<String, Tensor> backward = new LinkedHashMap<>();
    keys.forEach(k -> backward.put(k, forward.get(k)));
    Path a = dir.resolve("a.safetensors");
    Path b = dir.resolve("b.safetensors");
    Safetensors.write(a, forward, Map.of("x", "1", "y", "2"));
    Safetensors.write(b, backward, new HashMap<>(Map.of("y", "2", "x", "1")));
    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
  }

  @Test
  void headerIsSpacePaddedToAMultipleOfEightBytes() throws IOException {
    Path file = dir.resolve("aligned.safetensors");
    Safetensors.write(file, sampleTensors(), Map.of("k", "v"));
    byte[] bytes = Files.readAllBytes(file);
    long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(0, headerLength % 8);
    String header = new String(bytes, 8, (int) headerLength, UTF_8);
    assertTrue(header.startsWith("{\"__metadata__\":{\"k\":\"v\"}"), header);
    assertTrue(header.stripTrailing().endsWith("}"), header);
    assertTrue(header.substring(header.stripTrailing().length()).isBlank());
    long dataBytes = 4L * (16 + 35 + 1);
    assertEquals(8 + headerLength + dataBytes, bytes.length);
  }

  @Test
  void emptyMetadataWritesNoMetadataEntry() throws IOException {
    Path file = dir.resolve("plain.safetensors");
    Safetensors.write(file, sampleTensors(), Map.of());
    String content = new String(Files.readAllBytes(file), UTF_8);
    assertFalse(content.contains("__metadata__"));
    assertTrue(Safetensors.read(file).metadata().isEmpty());
  }

  /** Narrow dtypes round to the nearest representable value; reading gives exactly that value. */
  @ParameterizedTest
  @EnumSource(Dtype.class)
  void writingInADtypeThenReadingGivesTheValuesRoundedToIt(Dtype dtype) {
    Path file = dir.resolve("narrow-" + dtype + ".safetensors");
    Map<String, Tensor> tensors = sampleTensors();
    Safetensors.write(file, tensors, Map.of(), dtype);

    SafetensorsHeader header = Safetensors.readHeader(file);
    assertEquals(dtype, header.entries().get("encoder.w").dtype());
    SafetensorsFile read = Safetensors.read(file);
    for (Tensor t : tensors.values()) {
      float[] rounded = t.data().clone();
      for (int i = 0; i < rounded.length; i++) {
        rounded[i] = switch (dtype) {
          case F32, F64 -> rounded[i];
          case F16 -> HalfFloats.halfToFloat(HalfFloats.floatToHalf(rounded[i]));
          case BF16 -> HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(rounded[i]));
        };
      }
      assertSameFloats(rounded, read.tensor(t.name()).data(), dtype + " " + t.name());
    }
  }

  @Test
  void readsOnlyTheWantedTensors() {
    Path file = dir.resolve("partial.safetensors");
    Safetensors.write(file, sampleTensors(), Map.of("step", "3"));
    SafetensorsFile read = Safetensors.read(file, name -> name.startsWith("encoder."));
    assertEquals(List.of("encoder.w"), new ArrayList<>(read.tensors().keySet()));
    assertEquals("3", read.metadata().get("step"));
  }

  @Test
  void headerGivesOffsetsThatTileTheDataSection() {
    Path file = dir.resolve("header.safetensors");
    Safetensors.write(file, sampleTensors(), Map.of());
    SafetensorsHeader header = Safetensors.readHeader(file);
    // sorted order: empty (0 bytes), encoder.w (140), scalar (4), special (64)
    assertEquals(List.of("empty", "encoder.w", "scalar", "special"),
        new ArrayList<>(header.entries().keySet()));
    SafetensorsHeader.Entry w = header.entries().get("encoder.w");
    assertEquals(0, w.begin());
    assertEquals(140, w.end());
    assertArrayEquals(new int[] {5, 7}, w.shape());
    assertEquals(144, header.entries().get("scalar").end());
    assertEquals(208, header.entries().get("special").end());
  }

  @Test
  void writerRefusesATensorStoredUnderAnotherName() {
    Map<String, Tensor> wrong = Map.of("a", new Tensor("b", new int[] {1}, new float[] {1f}));
    assertThrows(IllegalArgumentException.class,
        () -> Safetensors.write(dir.resolve("x.safetensors"), wrong, Map.of()));
  }

  @Test
  void aLazyWriteGivesTheSameBytesAndAsksForOneTensorAtATimeInFileOrder() throws IOException {
    Map<String, Tensor> tensors = sampleTensors();
    Path eager = dir.resolve("eager.safetensors");
    Safetensors.write(eager, tensors, Map.of("format", "pt"));
    List<String> asked = new ArrayList<>();
    List<Safetensors.LazyTensor> lazy = new ArrayList<>();
    for (Tensor t : tensors.values()) { // insertion order, not file order
      lazy.add(new Safetensors.LazyTensor(t.name(), t.shape(), () -> {
        asked.add(t.name());
        return t.data().clone();
      }));
    }
    Path lazyFile = dir.resolve("lazy.safetensors");
    Safetensors.write(lazyFile, lazy, Map.of("format", "pt"), Dtype.F32);
    assertArrayEquals(Files.readAllBytes(eager), Files.readAllBytes(lazyFile));
    assertEquals(new java.util.TreeSet<>(tensors.keySet()).stream().toList(), asked, "each once, in the file's order");
  }

  @Test
  void aLazyTensorWhoseValuesDoNotFitItsShapeIsRefusedAndNothingIsWritten() {
    Path file = dir.resolve("bad.safetensors");
    List<Safetensors.LazyTensor> lazy = List.of(new Safetensors.LazyTensor("w", new int[] {2, 3}, () -> new float[5]));
    assertThrows(IllegalStateException.class, () -> Safetensors.write(file, lazy, Map.of(), Dtype.F32));
    assertFalse(Files.exists(file), "the atomic write left no file");
  }
}
