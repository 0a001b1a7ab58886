package org.calmworkbench.backend.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.calmworkbench.backend.CalmException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LogitSamplerTest {
  static final float[] LOGITS = {9f, 2.0f, 1.0f, 0.5f, -1.0f, 2.0f}; // row 1 of two; row 0 is padding

  @ParameterizedTest(name = "T = {0}")
  @ValueSource(doubles = {1.0, 0.7, 0.25, 0.01})
  void probabilitiesAreTheSoftmaxOfTheLogitsOverT(double t) {
    double[] p = LogitSampler.probabilities(LOGITS, 1, 5, t);
    double z = 0;
    for (int i = 1; i < 6; i++) {
      z += Math.exp(LOGITS[i] / t);
    }
    for (int i = 0; i < 5; i++) {
      assertEquals(Math.exp(LOGITS[i + 1] / t) / z, p[i], 1e-12);
    }
  }

  @Test
  void drawsFollowTheProbabilities() {
    double[] p = LogitSampler.probabilities(LOGITS, 1, 5, 0.8);
    SplittableRandom rng = new SplittableRandom(5);
    int n = 200_000;
    int[] counts = new int[5];
    for (int i = 0; i < n; i++) {
      counts[LogitSampler.sample(p, rng)]++;
    }
    for (int i = 0; i < 5; i++) {
      double sd = Math.sqrt(n * p[i] * (1 - p[i]));
      assertTrue(Math.abs(counts[i] - n * p[i]) < 5 * sd + 1, "token " + i + ": " + counts[i] + " vs " + n * p[i]);
    }
  }

  @Test
  void zeroProbabilitiesAreNeverDrawn() {
    double[] p = {0, 0.5, 0, 0.5, 0};
    SplittableRandom rng = new SplittableRandom(1);
    for (int i = 0; i < 10_000; i++) {
      int x = LogitSampler.sample(p, rng);
      assertTrue(x == 1 || x == 3, "drew " + x);
    }
  }

  @Test
  void argmaxTakesTheLowestIndexOnTies() {
    assertEquals(0, LogitSampler.argmax(LOGITS, 1, 5)); // 2.0 at offsets 1 and 5 -> index 0
    assertEquals(0, LogitSampler.argmax(new float[] {3f, 3f}, 0, 2));
    assertArrayEquals(new double[] {0.5, 0.5}, LogitSampler.probabilities(new float[] {3f, 3f}, 0, 2, 1.0), 1e-15);
  }

  @ParameterizedTest(name = "T = {0}")
  @ValueSource(doubles = {0.0, -1.0, 1.0001, Double.NaN, Double.POSITIVE_INFINITY})
  void temperatureOutsideZeroToOneIsRefused(double t) {
    CalmException e = assertThrows(CalmException.class, () -> LogitSampler.probabilities(LOGITS, 0, 6, t));
    assertTrue(e.getMessage().contains("(0, 1]"), e.getMessage());
  }
}
