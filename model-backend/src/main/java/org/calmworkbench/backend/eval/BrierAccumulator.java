package org.calmworkbench.backend.eval;

import static org.calmworkbench.backend.eval.Brier.ORDERS;

import java.util.Locale;
import org.calmworkbench.backend.CalmException;

/**
 * Streams patches through BrierLM for an evaluation loop: {@code add(x1, x2, truth)} per patch,
 * {@link #result()} at any time. Keeps only integer sums of the per-patch values and of their
 * pairwise products (enough for the means, standard errors and the delta-method covariance), so
 * memory is constant and the sums are exact. Not thread-safe; give each worker its own and
 * {@link #merge} them.
 */
public final class BrierAccumulator {
  private long patches;
  private final long[] sums = new long[ORDERS]; // sum over patches of v_n
  private final long[][] productSums = new long[ORDERS][ORDERS]; // sum over patches of v_i v_j

  /**
   * Adds one patch.
   *
   * @param x1 first prediction, K >= 4 token ids (tokens past the 4th are ignored)
   * @param x2 second, independent prediction, K >= 4
   * @param truth observed tokens, K >= 4
   * @throws CalmException if a patch has fewer than 4 tokens
   */
  public void add(int[] x1, int[] x2, int[] truth) {
    checkLength(x1, "first prediction", patches);
    checkLength(x2, "second prediction", patches);
    checkLength(truth, "truth", patches);
    int[] values = new int[ORDERS];
    for (int n = 1; n <= ORDERS; n++) {
      values[n - 1] = Brier.patchScore(x1, x2, truth, n);
    }
    patches++;
    for (int i = 0; i < ORDERS; i++) {
      sums[i] += values[i];
      for (int j = 0; j < ORDERS; j++) {
        productSums[i][j] += values[i] * values[j];
      }
    }
  }

  /** Adds P patches, [P][K] each. */
  public void addAll(int[][] x1, int[][] x2, int[][] truth) {
    if (x1.length != truth.length || x2.length != truth.length) {
      throw new CalmException(String.format(Locale.ROOT,
          "predictions and truth disagree in number of patches: %d, %d and %d (truth)",
          x1.length, x2.length, truth.length));
    }
    for (int p = 0; p < truth.length; p++) {
      add(x1[p], x2[p], truth[p]);
    }
  }

  /** Adds everything another accumulator has seen, as if its patches had been added here. */
  public void merge(BrierAccumulator other) {
    patches += other.patches;
    for (int i = 0; i < ORDERS; i++) {
      sums[i] += other.sums[i];
      for (int j = 0; j < ORDERS; j++) {
        productSums[i][j] += other.productSums[i][j];
      }
    }
  }

  public long patches() {
    return patches;
  }

  /** Brier-1..4, BrierLM and their standard errors over the patches so far. */
  public BrierResult result() {
    double[] brier = new double[ORDERS];
    double[] standardErrors = new double[ORDERS];
    double[][] covariance = new double[ORDERS][ORDERS]; // of the per-patch values, [4, 4]
    for (int i = 0; i < ORDERS; i++) {
      brier[i] = patches == 0 ? Double.NaN : (double) sums[i] / patches;
    }
    for (int i = 0; i < ORDERS; i++) {
      for (int j = 0; j < ORDERS; j++) {
        covariance[i][j] = patches < 2 ? Double.NaN
            : (productSums[i][j] - (double) sums[i] * sums[j] / patches) / (patches - 1);
      }
      standardErrors[i] = Math.sqrt(Math.max(0, covariance[i][i]) / patches);
    }
    double brierLm = Brier.brierLm(brier);
    return new BrierResult(patches, brier, standardErrors, brierLm,
        brierLmStandardError(brier, brierLm, covariance));
  }

  /** Delta method: gradient of 100 (prod B_n)^(1/4) is BrierLM / (4 B_n). */
  private double brierLmStandardError(double[] brier, double brierLm, double[][] covariance) {
    if (patches < 2 || !(brierLm > 0)) {
      return Double.NaN;
    }
    double[] gradient = new double[ORDERS];
    for (int n = 0; n < ORDERS; n++) {
      gradient[n] = brierLm / (ORDERS * brier[n]);
    }
    double variance = 0;
    for (int i = 0; i < ORDERS; i++) {
      for (int j = 0; j < ORDERS; j++) {
        variance += gradient[i] * covariance[i][j] * gradient[j];
      }
    }
    return Math.sqrt(Math.max(0, variance) / patches);
  }

  private static void checkLength(int[] tokens, String what, long patchIndex) {
    if (tokens.length < ORDERS) {
      throw new CalmException(String.format(Locale.ROOT,
          "patch %d: %s has %d tokens, BrierLM needs at least %d (Brier-1 to Brier-%d); "
              + "join consecutive chunks into %d-token predictions",
          patchIndex, what, tokens.length, ORDERS, ORDERS, ORDERS));
    }
  }
}
