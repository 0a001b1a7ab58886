package org.calmworkbench.backend.sampling;

/**
 * What the exact sampler ({@link TemperatureSampler#sampleExact}, Algorithm 1) costs in black-box
 * calls for a known distribution P at temperature T, with {@code 1/T = n + alpha}.
 *
 * <p>An attempt draws x (one call), then up to n - 1 more draws, stopping at the first that differs
 * from x: the j-th further draw happens only if the j - 1 before it equalled x, so stage 1 costs
 * {@code 1 + sum_{j=1}^{n-1} P(x)^(j-1)} calls given x. It passes with probability {@code P(x)^(n-1)};
 * then, for alpha > 0, the Bernoulli factory flips the coin "a fresh draw equals x" until it decides,
 * {@code P(x)^(alpha-1)} rounds on average (its survival after k rounds is {@code (1-p)^k
 * prod_{j<=k} (1 - alpha/j)}, whose sum over k is the binomial series of {@code p^(alpha-1)}). An
 * attempt is accepted with probability {@code A = sum_x P(x)^(1/T)}, and attempts are independent,
 * so the expected calls per output are (expected calls per attempt) / A (Wald's identity). Without
 * the call budget: the generator and the Sampler lab compare this with the budget themselves.
 */
public final class ExactSamplerCost {
  private ExactSamplerCost() {}

  /** Probability that one attempt is accepted: {@code sum_x P(x)^(1/T)}. */
  public static double acceptance(double[] p, double temperature) {
    double inverse = TemperatureSampler.inverseTemperature(temperature);
    double a = 0;
    for (double v : p) {
      a += v > 0 ? Math.pow(v, inverse) : 0;
    }
    return a;
  }

  /** Expected black-box calls of one attempt (accepted or not). */
  public static double callsPerAttempt(double[] p, double temperature) {
    double inverse = TemperatureSampler.inverseTemperature(temperature);
    int n = (int) Math.floor(inverse);
    double alpha = inverse - n;
    double calls = 0;
    for (double v : p) {
      if (v <= 0) {
        continue;
      }
      double stage1 = 1;
      double reach = 1; // P(x)^(j-1): the chance that the j-th further draw happens
      for (int j = 1; j < n; j++) {
        stage1 += reach;
        reach *= v;
      }
      // reach = P(x)^(n-1): stage 1 passed; the factory then takes P(x)^(alpha-1) rounds.
      double stage2 = alpha > 0 ? reach * Math.pow(v, alpha - 1) : 0;
      calls += v * (stage1 + stage2);
    }
    return calls;
  }

  /**
   * Expected black-box calls for one exact output, without the budget; infinite when no value has
   * positive probability.
   *
   * @param p a probability distribution (the probabilities of the values the black box returns)
   * @param temperature T in (0, 1]
   */
  public static double expectedCalls(double[] p, double temperature) {
    double a = acceptance(p, temperature);
    return a > 0 ? callsPerAttempt(p, temperature) / a : Double.POSITIVE_INFINITY;
  }

  /**
   * How many draws to compute in one batch for an exact output expected to take {@code expected}
   * calls: that many (rounded up), at least {@code ceil(1/T)} (one stage-1 attempt) and at most
   * {@code max}. A batch of the expected size usually covers the output in one pass; a longer run
   * takes further batches.
   */
  public static int batchSize(double expected, double temperature, int max) {
    int attempt = (int) Math.ceil(TemperatureSampler.inverseTemperature(temperature));
    double wanted = Double.isFinite(expected) ? Math.ceil(expected) : max;
    return (int) Math.max(1, Math.min(max, Math.max(attempt, wanted)));
  }
}
