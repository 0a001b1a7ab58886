package org.calmworkbench.backend.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.calmworkbench.backend.data.TokenIds;
import org.calmworkbench.backend.generate.TinyCalm;
import org.calmworkbench.backend.model.CalmConfig;
import org.calmworkbench.backend.model.CalmModel;
import org.calmworkbench.backend.model.HeadType;
import org.calmworkbench.backend.model.InputMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training split's encoder output, computed once, is what the step would compute (issue 10). */
class EncodedChunksTest {
  static int[] randomIds(int n, int vocab, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      ids[i] = r.nextInt(vocab);
    }
    return ids;
  }

  @Test
  void windowsEqualTheEncoderRunInsideTheStep() throws Exception {
    try (AutoencoderCheckpoint ae = AutoencoderCheckpoint.load(TinyCalm.root().resolve("ae"));
        NDManager m = NDManager.newBaseManager()) {
      int k = ae.config().patchSize();
      int[] ids = randomIds(60 * k + k - 1, ae.config().vocabSize(), 3); // a partial chunk at the end is left out
      EncodedChunks c = EncodedChunks.build(ae.model(), TokenIds.of(ids), k, m);
      long[] offsets = {0, 7L * k, 55L * k};
      int chunks = 5;
      int[] windows = new int[offsets.length * chunks * k];
      for (int b = 0; b < offsets.length; b++) {
        System.arraycopy(ids, (int) offsets[b], windows, b * chunks * k, chunks * k);
      }
      NDArray want = ae.model().encode(m.create(windows, new Shape(offsets.length, (long) chunks * k))
          .toType(DataType.INT64, false));
      NDArray got = c.windows(m, offsets, chunks);
      assertEquals(want.getShape(), got.getShape());
      assertArrayEquals(want.toFloatArray(), got.toFloatArray(), 1e-5f);
      if (k > 1) {
        assertThrows(IllegalArgumentException.class, () -> c.windows(m, new long[] {1}, 2), "an unaligned window");
      }
    }
  }

  @Test
  void aTrainingStepGivesTheSameLossWithTheCache(@TempDir Path out) throws Exception {
    try (AutoencoderCheckpoint ae = AutoencoderCheckpoint.load(TinyCalm.root().resolve("ae"));
        NDManager params = NDManager.newBaseManager()) {
      int k = ae.config().patchSize();
      TinyLm p = new TinyLm(ae, k);
      TokenIds train = TokenIds.of(randomIds(400 * k, ae.config().vocabSize(), 5));
      CalmTrainer.Request r = p.request(p.train, train, out);
      CalmModel lm = new CalmModel(p.model, InputMode.DISCRETE);
      lm.initializeParameters(params);
      EncodedChunks cache = EncodedChunks.build(ae.model(), train, k, params);
      float[] losses = new float[2];
      for (int i = 0; i < 2; i++) {
        CalmTrainer.Task task = new CalmTrainer.Task(lm, ae.model(), r, i == 0 ? null : cache);
        Engine.getEngine("PyTorch").setRandomSeed(11); // the same head noise and posterior samples
        try (NDManager sm = params.newSubManager()) {
          losses[i] = (float) task.trainStep(sm, 3, new SplittableRandom(11)).loss();
        }
      }
      assertTrue(Float.isFinite(losses[0]));
      assertEquals(losses[0], losses[1], 1e-5f * Math.max(1, Math.abs(losses[0])), "step loss without and with the cache");
    }
  }

  @Test
  void aRunGetsTheCacheWhenItPaysAndNotWhenThePropertyTurnsItOff(@TempDir Path out) throws Exception {
    try (AutoencoderCheckpoint ae = AutoencoderCheckpoint.load(TinyCalm.root().resolve("ae"));
        NDManager params = NDManager.newBaseManager()) {
      int k = ae.config().patchSize();
      TinyLm p = new TinyLm(ae, k);
      TokenIds train = TokenIds.of(randomIds(100 * k, ae.config().vocabSize(), 5));
      CalmTrainer.Request many = p.request(p.train.with(java.util.Map.of("steps", 1000)), train, out);
      CalmTrainer.Request one = p.request(p.train.with(java.util.Map.of("steps", 1, "batch_size", 1)), train, out);
      double[] progress = {0};
      assertTrue(EncodedChunks.forRun(ae.model(), many, params, f -> progress[0] = f) != null, "1000 steps encode 100 chunks");
      assertEquals(1.0, progress[0], "the one-off pass reports its progress to the end");
      assertTrue(EncodedChunks.forRun(ae.model(), one, params, f -> {}) == null, "one window of one step does not pay");
      String before = System.getProperty(EncodedChunks.PROPERTY);
      System.setProperty(EncodedChunks.PROPERTY, "false");
      try {
        assertTrue(EncodedChunks.forRun(ae.model(), many, params, f -> {}) == null, "-Dcalm.encodeOnce=false");
      } finally {
        if (before == null) {
          System.clearProperty(EncodedChunks.PROPERTY);
        } else {
          System.setProperty(EncodedChunks.PROPERTY, before);
        }
      }
    }
  }

  @Test
  void worthItWhenTheRunEncodesTheSplitAtLeastOnceAndTheCacheFits() {
    assertTrue(EncodedChunks.worthIt(520_000, 4, 32, 4000, 32, 9), "the K sweep's cells");
    assertFalse(EncodedChunks.worthIt(520_000, 4, 32, 10, 8, 9), "ten steps encode less than the split");
    assertFalse(EncodedChunks.worthIt(2_000_000_000L, 1, 128, 10_000_000, 64, 33), "over the heap cap");
  }

  /** The tiny preset's LM on the fixture autoencoder, with a short context. */
  private static final class TinyLm {
    final CalmConfig model;
    final TrainConfig train;
    final LmSettings lm;

    TinyLm(AutoencoderCheckpoint ae, int k) {
      LmPresets.Preset preset = LmPresets.get("tiny");
      model = preset.calmConfig(ae.config().vocabSize(), k, ae.config().latentSize(), HeadType.ENERGY);
      train = preset.train();
      lm = new LmSettings(4, 0, 0);
    }

    /** A discrete-input run of this LM on {@code ids} (train and validation) with {@code train}'s budget. */
    CalmTrainer.Request request(TrainConfig train, TokenIds ids, Path out) {
      return new CalmTrainer.Request(model, InputMode.DISCRETE, train, lm, TinyCalm.root().resolve("ae"), ids, ids, out,
          new byte[0], false);
    }
  }
}
