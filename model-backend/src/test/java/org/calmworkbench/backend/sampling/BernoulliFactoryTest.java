package org.calmworkbench.backend.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class BernoulliFactoryTest {
  private static final int TRIALS = 200_000;

  @ParameterizedTest(name = "p = {0}, alpha = {1}")
  @CsvSource({"0.1, 0.25", "0.1, 0.9", "0.5, 0.5", "0.5, 0.01", "0.9, 0.3", "0.02, 0.7"})
  void succeedsWithProbabilityPToTheAlpha(double p, double alpha) {
    SplittableRandom rng = new SplittableRandom(17);
    int successes = 0;
    for (int i = 0; i < TRIALS; i++) {
      if (BernoulliFactory.power(() -> rng.nextDouble() < p, alpha, rng)) {
        successes++;
      }
    }
    double expected = Math.pow(p, alpha);
    double standardError = Math.sqrt(expected * (1 - expected) / TRIALS);
    double observed = (double) successes / TRIALS;
    // 5 standard errors: a wrong factory (e.g. p^alpha vs p or vs alpha-weighted p) is off by far more.
    assertEquals(expected, observed, 5 * standardError + 1e-9,
        "P(success) for p=" + p + ", alpha=" + alpha);
  }

  @Test
  void zeroExponentSucceedsWithoutFlippingTheCoin() {
    SplittableRandom rng = new SplittableRandom(1);
    assertTrue(BernoulliFactory.power(() -> {
      throw new AssertionError("coin flipped");
    }, 0.0, rng));
  }

  @Test
  void refusesExponentsOutsideZeroToOne() {
    SplittableRandom rng = new SplittableRandom(1);
    assertThrows(IllegalArgumentException.class, () -> BernoulliFactory.power(() -> true, 1.0, rng));
    assertThrows(IllegalArgumentException.class, () -> BernoulliFactory.power(() -> true, -0.1, rng));
  }

  @Test
  void firstHeadsIsAlwaysSuccess() {
    SplittableRandom rng = new SplittableRandom(3);
    for (int i = 0; i < 1000; i++) {
      assertTrue(BernoulliFactory.power(() -> true, 0.99, rng));
    }
  }
}
