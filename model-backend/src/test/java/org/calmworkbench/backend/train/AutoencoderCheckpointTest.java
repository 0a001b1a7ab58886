package org.calmworkbench.backend.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.SharedFixtures;
import org.calmworkbench.backend.io.Dtype;
import org.calmworkbench.backend.io.Safetensors;
import org.calmworkbench.backend.io.Tensor;
import org.calmworkbench.backend.model.Weights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoint folders: our own round trip, the reference checkpoint, half-precision files, bad folders. */
class AutoencoderCheckpointTest {

  @Test
  void savedCheckpointLoadsBackBitIdentically(@TempDir Path dir) throws Exception {
    AutoencoderTrainer.run(AutoencoderTrainerTest.request(dir, 5, false), p -> {}, TrainControl.NONE);
    Map<String, Tensor> saved = Safetensors.read(dir.resolve("model.safetensors")).tensors();
    try (AutoencoderCheckpoint ck = AutoencoderCheckpoint.load(dir)) {
      Map<String, Tensor> loaded = Weights.export(ck.model());
      assertEquals(saved.keySet(), loaded.keySet());
      for (String name : saved.keySet()) {
        assertArrayEquals(saved.get(name).data(), loaded.get(name).data(), 0f, name);
      }
    }
  }

  @Test
  void referenceCheckpointLoads() {
    Path ref = SharedFixtures.reference("autoencoder");
    try (AutoencoderCheckpoint ck = AutoencoderCheckpoint.load(ref)) {
      assertEquals(4, ck.config().patchSize());
      assertEquals(64, ck.config().vocabSize());
      assertEquals(27, ck.model().namedParameters().size());
    }
  }

  @Test
  void bfloat16AndFloat16WeightsLoadAndGiveCloseOutputs(@TempDir Path tmp) throws Exception {
    Path ref = SharedFixtures.reference("autoencoder");
    Map<String, Tensor> f32 = Safetensors.read(ref.resolve("model.safetensors")).tensors();
    long[] ids = {22, 45, 31, 26, 59, 51, 35, 14};
    float[] want;
    try (AutoencoderCheckpoint ck = AutoencoderCheckpoint.load(ref); NDManager m = ck.manager().newSubManager()) {
      want = ck.model().encode(m.create(ids, new Shape(1, 8))).toFloatArray();
    }
    for (Dtype dtype : List.of(Dtype.BF16, Dtype.F16)) {
      Path dir = tmp.resolve(dtype.name());
      Files.createDirectories(dir);
      Files.copy(ref.resolve("config.json"), dir.resolve("config.json"));
      Safetensors.write(dir.resolve("model.safetensors"), f32, Map.of(), dtype);
      try (AutoencoderCheckpoint ck = AutoencoderCheckpoint.load(dir); NDManager m = ck.manager().newSubManager()) {
        float[] got = ck.model().encode(m.create(ids, new Shape(1, 8))).toFloatArray();
        double tol = dtype == Dtype.BF16 ? 0.1 : 0.01; // 8 and 11 mantissa bits
        assertArrayEquals(want, got, (float) tol, dtype.name());
      }
    }
  }

  @Test
  void missingExtraAndMisshapenTensorsAreNamed(@TempDir Path tmp) throws Exception {
    Path ref = SharedFixtures.reference("autoencoder");
    Map<String, Tensor> f32 = Safetensors.read(ref.resolve("model.safetensors")).tensors();

    Map<String, Tensor> missing = new LinkedHashMap<>(f32);
    missing.remove("decoder.norm.weight");
    assertMessage(tmp.resolve("missing"), ref, missing, "decoder.norm.weight");

    Map<String, Tensor> extra = new LinkedHashMap<>(f32);
    extra.put("decoder.lm_head.weight", new Tensor("decoder.lm_head.weight", new int[] {64, 32}, new float[64 * 32]));
    assertMessage(tmp.resolve("extra"), ref, extra, "decoder.lm_head.weight");

    Map<String, Tensor> shape = new LinkedHashMap<>(f32);
    shape.put("encoder.norm.weight", new Tensor("encoder.norm.weight", new int[] {16}, new float[16]));
    assertMessage(tmp.resolve("shape"), ref, shape, "encoder.norm.weight");
  }

  private static void assertMessage(Path dir, Path ref, Map<String, Tensor> tensors, String needle) throws Exception {
    Files.createDirectories(dir);
    Files.copy(ref.resolve("config.json"), dir.resolve("config.json"));
    Safetensors.write(dir.resolve("model.safetensors"), tensors, Map.of());
    CalmException e = assertThrows(CalmException.class, () -> AutoencoderCheckpoint.load(dir).close());
    assertTrue(e.getMessage().contains(needle), e.getMessage());
    assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
  }

  @Test
  void interruptedSaveRollsForwardOrIsDiscarded(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("a.txt"), "old");
    // committed but not yet moved: roll forward
    Path pending = dir.resolve(".pending");
    Files.createDirectories(pending);
    Files.writeString(pending.resolve("a.txt"), "new");
    Files.writeString(pending.resolve("COMMITTED"), "a.txt\n");
    CheckpointFiles.recover(dir);
    assertEquals("new", Files.readString(dir.resolve("a.txt")));
    assertFalse(Files.exists(pending));
    // not committed: discard, the old file stays
    Files.createDirectories(pending);
    Files.writeString(pending.resolve("a.txt"), "half");
    CheckpointFiles.recover(dir);
    assertEquals("new", Files.readString(dir.resolve("a.txt")));
    assertFalse(Files.exists(pending));
  }

  @Test
  void folderWithoutWeightsIsRefusedByName(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("config.json"), "{}");
    CalmException e = assertThrows(CalmException.class, () -> AutoencoderCheckpoint.load(dir));
    assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
  }
}
