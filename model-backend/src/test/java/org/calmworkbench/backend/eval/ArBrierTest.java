package org.calmworkbench.backend.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.data.TokenIds;
import org.calmworkbench.backend.train.ArCheckpoint;
import org.calmworkbench.backend.train.ArTrainer;
import org.calmworkbench.backend.train.LmPresets;
import org.calmworkbench.backend.train.LmSettings;
import org.calmworkbench.backend.train.TrainConfig;
import org.calmworkbench.backend.train.TrainControl;
import org.calmworkbench.backend.workflow.ArTraining;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BrierLM of a trained tiny AR model: the two-sample estimate of Brier-1 agrees with the exact
 * {@code 2 p(y) - sum p^2} computed from the same softmax, within sampling error.
 */
class ArBrierTest {
  static final int VOCAB = 40;
  static final int CONTEXT_CHUNKS = 8; // T = 32 tokens
  static int[] heldOut;
  static TokenIds valid;
  @TempDir static Path dir;
  static ArCheckpoint ck;

  /** Random "words" of 2-5 tokens repeated in random order: partly predictable text. */
  static int[] corpus(long seed, int length) {
    SplittableRandom rng = new SplittableRandom(seed);
    int[][] words = new int[30][];
    for (int i = 0; i < words.length; i++) {
      words[i] = rng.ints(2 + rng.nextInt(4), 2, VOCAB).toArray();
    }
    int[] out = new int[length];
    int n = 0;
    while (n < length) {
      for (int t : words[rng.nextInt(words.length)]) {
        if (n < length) {
          out[n++] = t;
        }
      }
    }
    return out;
  }

  @BeforeAll
  static void train() throws Exception {
    int[] all = corpus(3, 30_000);
    TokenIds trainIds = TokenIds.of(Arrays.copyOfRange(all, 0, 24_000));
    heldOut = Arrays.copyOfRange(all, 24_000, all.length);
    valid = TokenIds.of(heldOut);
    LmPresets.Preset p = LmPresets.get("tiny");
    TrainConfig tc = p.train().with(Map.of("steps", 150, "batch_size", 16, "eval_every", 1000, "lr", 3e-3));
    LmSettings lm = p.lm().with(Map.of("context_chunks", CONTEXT_CHUNKS, "eval_positions", 0));
    ArTrainer.run(new ArTrainer.Request(ArTraining.fromPreset(p, VOCAB), tc, lm, trainIds, valid, dir, null, false),
        pr -> {}, TrainControl.NONE);
    ck = ArCheckpoint.load(dir);
  }

  @AfterAll
  static void cleanUp() throws Exception {
    if (ck != null) {
      ck.close();
    }
  }

  static ArBrier.Result evaluate(int positions, long seed) {
    return ArBrier.evaluate(ck.model(), valid, CONTEXT_CHUNKS * 4, 4, positions, seed, ck.manager());
  }

  @Test
  void twoSampleBrier1AgreesWithTheExactValue() {
    ArBrier.Result r = evaluate(800, 11);
    assertEquals(800, r.positions());
    double sampled = r.sampled().brier(1);
    // A trained model is far from uniform (exact Brier-1 of a uniform model is 1/V = 0.025).
    assertTrue(r.exactBrier1() > 0.15, "exact Brier-1 " + r.exactBrier1());
    assertTrue(r.differenceStandardError() > 0 && r.differenceStandardError() < 0.05,
        "difference standard error " + r.differenceStandardError());
    assertTrue(Math.abs(r.brier1ZScore()) < 4, "two-sample " + sampled + " vs exact " + r.exactBrier1()
        + ": z = " + r.brier1ZScore());
    // The pairing removes the spread across positions, so the difference is the tighter check.
    assertTrue(r.differenceStandardError() < r.sampled().standardError(1));
    double[] b = r.sampled().brier();
    assertTrue(b[0] >= b[1] - 0.05 && b[1] >= b[3] - 0.05, "longer n-grams are harder: " + Arrays.toString(b));
    assertTrue(r.sampled().brierLm() > 0, "BrierLM " + r.sampled().brierLm());
  }

  @Test
  void theSameSeedGivesTheSameScores() {
    ArBrier.Result a = evaluate(60, 5);
    ArBrier.Result b = evaluate(60, 5);
    assertArrayEquals(a.sampled().brier(), b.sampled().brier(), 0);
    assertEquals(a.exactBrier1(), b.exactBrier1(), 0);
  }

  @Test
  void scoresCalmsPositionsInOrder() {
    // 8 positions per window (after 4, 8, ..., 32 tokens): 20 positions = 2 whole windows + 4.
    ArBrier.Result r = evaluate(20, 1);
    assertEquals(20, r.positions());
    TokenIds threeWindows = TokenIds.of(Arrays.copyOf(heldOut, 3 * (CONTEXT_CHUNKS * 4 + 4) + 10));
    ArBrier.Result all = ArBrier.evaluate(ck.model(), threeWindows, CONTEXT_CHUNKS * 4, 4, Integer.MAX_VALUE, 1,
        ck.manager());
    assertEquals(3 * CONTEXT_CHUNKS, all.positions()); // the 10-token tail is no whole window
  }

  @Test
  void aContextShorterThanTheStrideIsRefused() {
    CalmException e = assertThrows(CalmException.class,
        () -> ArBrier.evaluate(ck.model(), valid, 2, 4, 10, 0, ck.manager()));
    assertTrue(e.getMessage().contains("context"), e.getMessage());
  }
}
