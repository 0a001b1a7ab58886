package org.calmworkbench.backend.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.model.EnergyScore;
import org.junit.jupiter.api.Test;

/** The same-chunk levels on toy posteriors whose answers are known in closed form. */
class PredictorLevelsTest {
  private static final float A = 3f;

  /** Windows of two 1-D chunks (context, target); chunk i sits at -A (even) or +A (odd), std s. */
  private static float[][] islands(int chunks, float s) {
    float[] mean = new float[chunks];
    float[] std = new float[chunks];
    for (int i = 0; i < chunks; i++) {
      mean[i] = i % 2 == 0 ? -A : A;
      std[i] = s;
    }
    return new float[][] {mean, std};
  }

  private static float[] constant(int samples, float v) {
    float[] x = new float[samples];
    java.util.Arrays.fill(x, v);
    return x;
  }

  @Test
  void marginalOracleAndTwoKnownPredictors() {
    float[][] p = islands(4000, 1e-4f); // targets are the odd chunks, all at +A
    Map<String, PredictorLevels.Predictor> predictors = new LinkedHashMap<>();
    predictors.put("right island", (w, j, s, r) -> constant(s, A));
    predictors.put("wrong island", (w, j, s, r) -> constant(s, -A));
    PredictorLevels.Result r = PredictorLevels.score(p[0], p[1], 1, 2, predictors, 8, 1.0, new SplittableRandom(3));

    assertEquals(2000, r.positions());
    // marginal: each sample hits the target's island half the time: 2 E|X - Y| - E|X - X'| = 2A - A = A
    // (with 8 samples the diversity term is the unbiased pair mean, so the estimate is unbiased)
    assertEquals(A, r.level("marginal").loss(), 4 * r.level("marginal").standardError() + 1e-3);
    assertTrue(r.level("oracle").loss() < 1e-3, "sharp posteriors: oracle near 0, got " + r.level("oracle").loss());
    assertEquals(0, r.level("right island").loss(), 1e-3);
    assertEquals(1.0, r.contextGain("right island"), 1e-3);
    // always the other island: 2 * 2A - 0
    assertEquals(4 * A, r.level("wrong island").loss(), 1e-3);
    assertTrue(r.contextGain("wrong island") < -2, "worse than the marginal level");
    // the paired gain of the right predictor is the marginal level itself, with its standard error
    assertEquals(r.level("marginal").loss(), r.gainVsMarginal()[2], 1e-3);
    assertEquals(r.level("marginal").standardError(), r.gainStandardError()[2], 1e-3);
  }

  @Test
  void oracleIsTheMeanDistanceBetweenTwoPosteriorSamples() {
    // X, Y iid N(A, s^2): the loss 2 E|X - Y| - E|X - X'| = E|X - X'| = 2 s / sqrt(pi)
    float[][] p = islands(4000, 0.5f);
    PredictorLevels.Result r = PredictorLevels.score(p[0], p[1], 1, 2, Map.of(), 8, 1.0, new SplittableRandom(5));

    assertEquals(2 * 0.5 / Math.sqrt(Math.PI), r.level("oracle").loss(), 4 * r.level("oracle").standardError());
  }

  @Test
  void energyLossIsTheTrainingLossOfEnergyScore() {
    SplittableRandom rng = new SplittableRandom(9);
    int s = 5;
    int m = 3;
    int l = 4;
    float[] x = new float[s * l];
    float[] y = new float[m * l];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextDouble(-2, 2);
    }
    for (int i = 0; i < y.length; i++) {
      y[i] = (float) rng.nextDouble(-2, 2);
    }
    try (NDManager nd = NDManager.newBaseManager()) {
      for (double beta : new double[] {1.0, 1.5}) {
        double expected = -EnergyScore.score(nd.create(x, new Shape(s, 1, l)), nd.create(y, new Shape(m, 1, l)), beta)
            .getFloat(0);
        assertEquals(expected, PredictorLevels.energyLoss(x, y, l, beta), 1e-4 * Math.abs(expected));
      }
    }
  }

  @Test
  void windowsWithoutATargetAreRefused() {
    float[][] p = islands(3, 0.1f);
    assertThrows(CalmException.class,
        () -> PredictorLevels.score(p[0], p[1], 1, 4, Map.of(), 8, 1.0, new SplittableRandom(1)));
  }
}
