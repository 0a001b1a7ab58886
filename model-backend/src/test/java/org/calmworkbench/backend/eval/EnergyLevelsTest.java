package org.calmworkbench.backend.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The energy loss's reference levels on toy posteriors whose answers are known in closed form. */
class EnergyLevelsTest {
  /** n chunks of one dimension: even ones at -a, odd ones at +a, all with posterior std s. */
  private static EnergyLevels twoIslands(int n, float a, float s, double beta) {
    float[] mean = new float[n];
    float[] std = new float[n];
    for (int i = 0; i < n; i++) {
      mean[i] = i % 2 == 0 ? -a : a;
      std[i] = s;
    }
    return EnergyLevels.fromPosteriors(mean, std, 1, beta, 7);
  }

  @Test
  void oracleIsTheMeanDistanceBetweenTwoPosteriorSamples() {
    // Y - Y' ~ N(0, 2 s^2), so E|Y - Y'| = 2 s / sqrt(pi).
    EnergyLevels levels = twoIslands(4000, 3f, 0.5f, 1.0);

    assertEquals(2 * 0.5 / Math.sqrt(Math.PI), levels.oracle(), 0.01);
  }

  @Test
  void marginalOfTwoSharpIslandsIsTheirHalfDistance() {
    // X from the marginal hits the target's island half the time (distance 0) and the other one
    // otherwise (2a): 2 E|X - Y| - E|X - X'| = 2a - a = a.
    EnergyLevels levels = twoIslands(4000, 3f, 1e-4f, 1.0);

    assertEquals(3.0, levels.marginal(), 0.1);
    assertTrue(levels.oracle() < 1e-3, "sharp posteriors: the oracle is near 0, got " + levels.oracle());
  }

  @Test
  void betaRaisesEveryDistance() {
    // With beta = 1.5 the marginal is 2 (1/2)(2a)^1.5 - (1/2)(2a)^1.5 = (2a)^1.5 / 2.
    EnergyLevels levels = twoIslands(4000, 3f, 1e-4f, 1.5);

    assertEquals(Math.pow(6, 1.5) / 2, levels.marginal(), 0.3);
  }

  @Test
  void manifoldRadiusIsTheNinetyFifthPercentileOfAPosteriorSamplesDistanceFromItsMean() {
    // one dimension: |s eps| has its 95th percentile at 1.96 s
    EnergyLevels levels = twoIslands(4000, 3f, 0.5f, 1.0);

    assertEquals(1.96 * 0.5, levels.manifoldRadius(), 0.03);
  }

  @Test
  void contextGainRunsFromTheMarginalToTheOracleLevel() {
    EnergyLevels levels = new EnergyLevels(12, 2, 1, 100);
    assertEquals(0, levels.contextGain(12), 1e-12);
    assertEquals(1, levels.contextGain(2), 1e-12);
    assertEquals(0.25, levels.contextGain(9.5), 1e-12);
    assertEquals(-0.05, levels.contextGain(12.5), 1e-12);
    assertTrue(levels.atMarginal(12.5));
    assertTrue(levels.atMarginal(11.8)); // gain 0.02: within the measurement noise of the marginal level
    assertFalse(levels.atMarginal(11.6)); // gain 0.04
    assertTrue(Double.isNaN(new EnergyLevels(3, 3, 1, 100).contextGain(2)));
    assertTrue(EnergyLevels.describeGain(0.01).contains("at the marginal level"), EnergyLevels.describeGain(0.01));
    assertTrue(EnergyLevels.describeGain(0.25).contains("25% of the way"), EnergyLevels.describeGain(0.25));
  }

  @Test
  void sameSeedSameLevels() {
    assertEquals(twoIslands(100, 1f, 0.3f, 1.0), twoIslands(100, 1f, 0.3f, 1.0));
  }
}
