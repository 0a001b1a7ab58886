package org.calmworkbench.backend.eval;

/**
 * BrierLM (Shao et al. 2025): a likelihood-free language-model score that needs only samples.
 *
 * <p>The Brier score of a predictive distribution q against the observed outcome y is
 * {@code 2 q(y) - sum_x q(x)^2} (one minus the squared distance between q and the one-hot y;
 * higher is better, at most 1). Without q, two independent draws x1, x2 from the model estimate it
 * without bias: {@code E[1{x1=y}] = q(y)} twice, and {@code E[1{x1=x2}] = sum q^2}. So each patch
 * gives the value
 *
 * <pre>
 *   v = 1{x1 = y} + 1{x2 = y} - 1{x1 = x2}      in {-1, 0, 1, 2}
 * </pre>
 *
 * <p><b>Brier-n</b> treats the first n tokens of a K-token patch as one outcome (all n must match);
 * it is the mean of v over patches. <b>BrierLM</b> is {@code 100 * (Brier-1 Brier-2 Brier-3
 * Brier-4)^(1/4)}, the geometric mean in percent.
 *
 * <p><b>When a Brier-n is <= 0</b> (a model worse than useless at n-grams, or a small sample),
 * the geometric mean is not a real number (or, with an even number of negative factors, a
 * misleading positive one). We define BrierLM = 0 then, i.e. the geometric mean of the scores
 * clipped at 0, so a bad model never scores above a weak one; its standard error is NaN.
 *
 * <p><b>Standard errors</b> treat patches as independent (they are not quite: patches of one
 * document share context), so they are a lower bound in practice. Brier-n: the sample standard
 * deviation of the per-patch values over {@code sqrt(P)}. BrierLM: the delta method on the
 * per-patch vectors {@code (v1, v2, v3, v4)}: with gradient {@code g_n = BrierLM / (4 Brier-n)},
 * {@code Var(BrierLM) ~ g' Sigma g / P}, Sigma the sample covariance of the four values, which
 * are strongly correlated (a patch right at n = 3 is right at n = 1 and 2).
 */
public final class Brier {
  /** BrierLM combines Brier-1 to Brier-4. */
  public static final int ORDERS = 4;

  private Brier() {}

  /**
   * The per-patch value of Brier-n: {@code 1{x1=y} + 1{x2=y} - 1{x1=x2}} on the first n tokens.
   */
  public static int patchScore(int[] x1, int[] x2, int[] truth, int n) {
    return (prefixEqual(x1, truth, n) ? 1 : 0)
        + (prefixEqual(x2, truth, n) ? 1 : 0)
        - (prefixEqual(x1, x2, n) ? 1 : 0);
  }

  /**
   * Brier-1..4 and BrierLM with standard errors over P patches.
   *
   * @param x1 first prediction per patch, [P][K], K >= 4
   * @param x2 second, independent prediction per patch, [P][K]
   * @param truth the observed tokens per patch, [P][K]
   */
  public static BrierResult evaluate(int[][] x1, int[][] x2, int[][] truth) {
    BrierAccumulator accumulator = new BrierAccumulator();
    accumulator.addAll(x1, x2, truth);
    return accumulator.result();
  }

  /**
   * {@code 100 * (prod brier_n)^(1/n)} over the given scores (Brier-1..4 for BrierLM); 0 when any
   * score is <= 0, NaN when any is NaN.
   */
  public static double brierLm(double... brierScores) {
    double logSum = 0;
    for (double score : brierScores) {
      if (Double.isNaN(score)) {
        return Double.NaN;
      }
      if (score <= 0) {
        return 0;
      }
      logSum += Math.log(score);
    }
    return 100 * Math.exp(logSum / brierScores.length);
  }

  /**
   * The exact Brier score {@code 2 p(truth) - sum p^2} of a known distribution p, which the
   * two-sample estimate matches in expectation. For Brier-n pass the distribution over n-grams.
   */
  public static double exactBrier1(double[] probabilities, int truth) {
    double sumOfSquares = 0;
    for (double p : probabilities) {
      sumOfSquares += p * p;
    }
    return 2 * probabilities[truth] - sumOfSquares;
  }

  private static boolean prefixEqual(int[] a, int[] b, int n) {
    for (int t = 0; t < n; t++) {
      if (a[t] != b[t]) {
        return false;
      }
    }
    return true;
  }
}
