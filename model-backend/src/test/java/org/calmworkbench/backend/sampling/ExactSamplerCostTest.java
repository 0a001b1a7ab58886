package org.calmworkbench.backend.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The cost model against the exact sampler's own call counts on known distributions. */
class ExactSamplerCostTest {
  private static final double[] PEAKED = {0.6, 0.25, 0.1, 0.05};

  @ParameterizedTest(name = "T = {0}")
  @CsvSource({"1.0", "0.75", "0.5", "0.4", "0.3", "0.25"})
  void expectedCallsMatchTheMeanOfMeasuredCalls(double temperature) {
    TemperatureSampler<Integer> sampler = new TemperatureSampler<>(CategoricalSampler.of(PEAKED), temperature, 1_000_000);
    SplittableRandom rng = new SplittableRandom(15);
    int outputs = 20_000;
    double sum = 0;
    double sumSquares = 0;
    for (int i = 0; i < outputs; i++) {
      TemperatureSample<Integer> s = sampler.sampleExact(rng);
      assertFalse(s.fellBack());
      sum += s.samplerCalls();
      sumSquares += (double) s.samplerCalls() * s.samplerCalls();
    }
    double mean = sum / outputs;
    double standardError = Math.sqrt(Math.max(0, sumSquares / outputs - mean * mean) / outputs);
    double expected = ExactSamplerCost.expectedCalls(PEAKED, temperature);
    // Four standard errors: a wrong stage (a missing draw per attempt, the factory's rounds) moves
    // the mean by far more than that here.
    assertEquals(expected, mean, 4 * standardError + 1e-12, "measured " + mean + " +- " + standardError);
  }

  @Test
  void uniformOverFourAtHalfTemperatureNeedsEightCalls() {
    // Two draws per attempt (the second always happens), accepted with 4 x 0.25^2 = 1/4.
    assertEquals(8.0, ExactSamplerCost.expectedCalls(new double[] {0.25, 0.25, 0.25, 0.25}, 0.5), 1e-12);
    assertEquals(1.0, ExactSamplerCost.expectedCalls(PEAKED, 1.0), 1e-12);
  }

  @Test
  void aPointMassCostsOneAttemptOfCeilOneOverT() {
    assertEquals(3.0, ExactSamplerCost.expectedCalls(new double[] {1.0}, 1.0 / 3), 1e-12);
    assertEquals(4.0, ExactSamplerCost.expectedCalls(new double[] {1.0}, 0.3), 1e-12); // 3 + one factory round
  }

  @Test
  void batchesAreSizedByTheExpectedCallsWithinLimits() {
    assertEquals(2, ExactSamplerCost.batchSize(1.2, 0.5, 256)); // at least one stage-1 attempt
    assertEquals(37, ExactSamplerCost.batchSize(36.2, 0.5, 256));
    assertEquals(256, ExactSamplerCost.batchSize(5000, 0.5, 256));
    assertEquals(256, ExactSamplerCost.batchSize(Double.POSITIVE_INFINITY, 0.5, 256));
    assertTrue(ExactSamplerCost.expectedCalls(PEAKED, 0.3) > ExactSamplerCost.expectedCalls(PEAKED, 0.5));
  }
}
