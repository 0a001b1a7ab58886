package org.calmworkbench.backend.eval;

/**
 * BrierLM over a set of patches; see {@link Brier} for the definitions.
 *
 * @param patches number of patches P
 * @param brier Brier-1..4, [4] (NaN when P = 0)
 * @param standardErrors standard error of each Brier-n, [4] (NaN when P < 2)
 * @param brierLm 100 * geometric mean of Brier-1..4, 0 when one is <= 0
 * @param brierLmStandardError delta-method standard error of BrierLM (NaN when P < 2 or BrierLM 0)
 */
public record BrierResult(
    long patches,
    double[] brier,
    double[] standardErrors,
    double brierLm,
    double brierLmStandardError) {
  public BrierResult {
    brier = brier.clone();
    standardErrors = standardErrors.clone();
  }

  @Override
  public double[] brier() {
    return brier.clone();
  }

  @Override
  public double[] standardErrors() {
    return standardErrors.clone();
  }

  /** Brier-n for n in 1..4. */
  public double brier(int n) {
    return brier[n - 1];
  }

  /** Standard error of Brier-n for n in 1..4. */
  public double standardError(int n) {
    return standardErrors[n - 1];
  }
}
