package org.calmworkbench.backend.io.pytorch;

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
import java.util.List;
import java.util.Map;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.SharedFixtures;
import org.calmworkbench.backend.io.HalfFloats;
import org.calmworkbench.backend.io.Safetensors;
import org.calmworkbench.backend.io.SafetensorsFile;
import org.calmworkbench.backend.io.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading torch.save zip/pickle state dicts: the official-format fixtures and hand-made layouts. */
class TorchStateDictTest {
  @TempDir Path tmp;

  static TorchSaveWriter.Storage floats(String key, StorageType type, float... values) {
    return new TorchSaveWriter.Storage(key, type, values.length, out -> {
      ByteBuffer b = ByteBuffer.allocate(values.length * type.elementSize()).order(ByteOrder.LITTLE_ENDIAN);
      for (float v : values) {
        type.putFloat(b, v);
      }
      out.write(b.array());
    });
  }

  @Test
  void readsTheOfficialAutoencoderWithItsTiedOutputMatrix() {
    Path ref = SharedFixtures.reference("autoencoder").resolve("model.safetensors");
    Path bin = SharedFixtures.reference("official-format").resolve("autoencoder").resolve("pytorch_model.bin");
    SafetensorsFile expected = Safetensors.read(ref);
    try (TorchStateDict sd = TorchStateDict.open(bin)) {
      for (String name : expected.tensors().keySet()) {
        assertEquals(expected.tensor(name), sd.read(name), name);
      }
      assertTrue(sd.view("decoder.lm_head_weight").sameAs(sd.view("encoder.embed_tokens.weight")),
          "the tied matrix is one storage under two names");
      assertEquals(expected.tensors().size() + 1, sd.names().size());
    }
  }

  @Test
  void readsBf16AsTheFloat32WeightsRoundedToBf16() {
    Path ref = SharedFixtures.reference("energy").resolve("model.safetensors");
    Path bin = SharedFixtures.reference("official-format").resolve("energy-bf16").resolve("pytorch_model.bin");
    SafetensorsFile expected = Safetensors.read(ref);
    try (TorchStateDict sd = TorchStateDict.open(bin)) {
      String name = "transformer.layers.0.self_attn.q_proj.weight";
      assertEquals(StorageType.BFLOAT16, sd.view(name).storage().type());
      float[] want = expected.tensor(name).data();
      float[] got = sd.read(name).data();
      for (int i = 0; i < want.length; i++) {
        assertEquals(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(want[i])), got[i], 0f, name + "[" + i + "]");
      }
    }
  }

  @Test
  void refusesTheMaliciousFixtureNamingFileAndGlobal() {
    Path bin = SharedFixtures.reference("official-format").resolve("malicious").resolve("pytorch_model.bin");
    CalmException e = assertThrows(CalmException.class, () -> TorchStateDict.open(bin));
    assertTrue(e.getMessage().contains(bin.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("'posix.system'"), e.getMessage());
  }

  @Test
  void sharedStoragesOffsetsAndStridesGiveTheViewedElements() throws IOException {
    float[] values = new float[12];
    for (int i = 0; i < values.length; i++) {
      values[i] = i;
    }
    Path file = tmp.resolve("views.bin");
    TorchSaveWriter.write(file, "views", List.of(floats("0", StorageType.FLOAT, values)), List.of(
        TorchSaveWriter.Entry.contiguous("full", "0", 3, 4),
        new TorchSaveWriter.Entry("slice", "0", 5, new long[] {2}, new long[] {1}),
        new TorchSaveWriter.Entry("transposed", "0", 0, new long[] {4, 3}, new long[] {1, 4}),
        new TorchSaveWriter.Entry("column", "0", 2, new long[] {3}, new long[] {4}),
        new TorchSaveWriter.Entry("scalar", "0", 11, new long[] {}, new long[] {})));
    try (TorchStateDict sd = TorchStateDict.open(file)) {
      assertArrayEquals(values, sd.read("full").data());
      assertArrayEquals(new float[] {5, 6}, sd.read("slice").data());
      assertArrayEquals(new float[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, sd.read("transposed").data());
      assertArrayEquals(new int[] {4, 3}, sd.shape("transposed"));
      assertArrayEquals(new float[] {2, 6, 10}, sd.read("column").data());
      assertArrayEquals(new float[] {11}, sd.read("scalar").data());
    }
  }

  @Test
  void readsEveryFloatStorageType() throws IOException {
    float[] v = {1.5f, -2.25f, 0.125f};
    Path file = tmp.resolve("types.bin");
    TorchSaveWriter.write(file, "types", List.of(
        floats("f", StorageType.FLOAT, v), floats("d", StorageType.DOUBLE, v),
        floats("h", StorageType.HALF, v), floats("b", StorageType.BFLOAT16, v)), List.of(
        TorchSaveWriter.Entry.contiguous("f", "f", 3), TorchSaveWriter.Entry.contiguous("d", "d", 3),
        TorchSaveWriter.Entry.contiguous("h", "h", 3), TorchSaveWriter.Entry.contiguous("b", "b", 3)));
    try (TorchStateDict sd = TorchStateDict.open(file)) {
      for (String n : List.of("f", "d", "h", "b")) {
        assertArrayEquals(v, sd.read(n).data(), 0f, n); // all three values are exact in every type
      }
    }
  }

  @Test
  void integerTensorsAreListedButNotReadAsWeights() throws IOException {
    Path file = tmp.resolve("long.bin");
    TorchSaveWriter.write(file, "long", List.of(new TorchSaveWriter.Storage("0", StorageType.LONG, 2,
        out -> out.write(new byte[16]))), List.of(TorchSaveWriter.Entry.contiguous("position_ids", "0", 2)));
    try (TorchStateDict sd = TorchStateDict.open(file)) {
      assertArrayEquals(new int[] {2}, sd.shape("position_ids"));
      CalmException e = assertThrows(CalmException.class, () -> sd.read("position_ids"));
      assertTrue(e.getMessage().contains("position_ids") && e.getMessage().contains("LongStorage"), e.getMessage());
    }
  }

  @Test
  void aHugeDeclaredStorageIsRefusedBeforeAnythingIsAllocated() throws IOException {
    Path file = tmp.resolve("huge.bin");
    // the pickle declares 2^40 floats; the entry holds 8 bytes
    TorchSaveWriter.Storage lie = new TorchSaveWriter.Storage("0", StorageType.FLOAT, 1L << 40, out -> { });
    byte[] pickle = TorchSaveWriter.pickle(List.of(lie), List.of(TorchSaveWriter.Entry.contiguous("w", "0", 1L << 40)));
    RawZip.write(file, Map.of("huge/data.pkl", pickle, "huge/data/0", new byte[8]));
    CalmException e = assertThrows(CalmException.class, () -> TorchStateDict.open(file));
    assertTrue(e.getMessage().contains("declares 1099511627776"), e.getMessage());
  }

  @Test
  void aTensorWithMoreElementsThanAnArrayIsRefusedWhenRead() throws IOException {
    Path file = tmp.resolve("broadcast.bin");
    // stride 0 makes 2^33 elements out of one stored float: legal in PyTorch, too large here
    TorchSaveWriter.write(file, "b", List.of(floats("0", StorageType.FLOAT, 1f)),
        List.of(new TorchSaveWriter.Entry("w", "0", 0, new long[] {1L << 20, 1L << 13}, new long[] {0, 0})));
    try (TorchStateDict sd = TorchStateDict.open(file)) {
      CalmException e = assertThrows(CalmException.class, () -> sd.read("w"));
      assertTrue(e.getMessage().contains("more than one Java array holds"), e.getMessage());
    }
  }

  @Test
  void aViewReachingPastItsStorageIsRefused() throws IOException {
    Path file = tmp.resolve("past.bin");
    TorchSaveWriter.write(file, "p", List.of(floats("0", StorageType.FLOAT, 1f, 2f, 3f)),
        List.of(new TorchSaveWriter.Entry("w", "0", 2, new long[] {2}, new long[] {1})));
    CalmException e = assertThrows(CalmException.class, () -> TorchStateDict.open(file));
    assertTrue(e.getMessage().contains("reaches element 3 of storage 0, which has 3"), e.getMessage());
  }

  @Test
  void aMissingStorageEntryIsNamed() throws IOException {
    Path file = tmp.resolve("missing.bin");
    byte[] pickle = TorchSaveWriter.pickle(List.of(floats("7", StorageType.FLOAT, 1f)),
        List.of(TorchSaveWriter.Entry.contiguous("w", "7", 1)));
    RawZip.write(file, Map.of("m/data.pkl", pickle));
    CalmException e = assertThrows(CalmException.class, () -> TorchStateDict.open(file));
    assertTrue(e.getMessage().contains("m/data/7") && e.getMessage().contains("tensor w"), e.getMessage());
  }

  @Test
  void aCompressedEntryIsRefused() throws IOException {
    Path file = tmp.resolve("deflated.bin");
    try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(file))) {
      zip.putNextEntry(new java.util.zip.ZipEntry("d/data.pkl"));
      zip.write(new byte[] {(byte) 0x80, 2, ')', '.'});
      zip.closeEntry();
    }
    CalmException e = assertThrows(CalmException.class, () -> TorchStateDict.open(file));
    assertTrue(e.getMessage().contains("compressed"), e.getMessage());
  }

  @Test
  void aFileThatIsNotAZipSaysSo() throws IOException {
    Path file = tmp.resolve("legacy.bin");
    Files.write(file, new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9,
        0x20, 0x6a, (byte) 0xa8, 0x50, 0x19, '.', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    CalmException e = assertThrows(CalmException.class, () -> TorchStateDict.open(file));
    assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("not a zip"), e.getMessage());
  }

  @Test
  void aMissingFileIsNamed() {
    Path file = tmp.resolve("nope.bin");
    CalmException e = assertThrows(CalmException.class, () -> TorchStateDict.open(file));
    assertTrue(e.getMessage().contains(file.toString()));
    assertFalse(Files.exists(file));
  }
}
