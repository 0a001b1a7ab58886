package org.calmworkbench.backend.sampling;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.SplittableRandom;
import org.calmworkbench.backend.CalmException;

/**
 * A black-box sampler over categories {@code 0..k-1} with known probabilities, used to check the
 * temperature samplers against the exact answer {@code p^(1/T)/Z}. Draws in O(1) with Vose's alias
 * method, so millions of draws in a test stay cheap.
 */
public final class CategoricalSampler implements BlackBoxSampler<Integer> {
  /** How far the given probabilities may sum from 1 before we refuse instead of normalising. */
  public static final double SUM_TOLERANCE = 1e-3;

  private final double[] probabilities; // [k], sums to 1
  private final double[] keepProbability; // [k], alias table: stay in column i with this chance
  private final int[] alias; // [k], otherwise jump to alias[i]

  private CategoricalSampler(double[] probabilities) {
    this.probabilities = probabilities;
    int k = probabilities.length;
    keepProbability = new double[k];
    alias = new int[k];
    double[] scaled = new double[k];
    Deque<Integer> small = new ArrayDeque<>();
    Deque<Integer> large = new ArrayDeque<>();
    for (int i = 0; i < k; i++) {
      scaled[i] = probabilities[i] * k;
      (scaled[i] < 1.0 ? small : large).push(i);
    }
    while (!small.isEmpty() && !large.isEmpty()) {
      int under = small.pop();
      int over = large.pop();
      keepProbability[under] = scaled[under];
      alias[under] = over;
      scaled[over] = (scaled[over] + scaled[under]) - 1.0;
      (scaled[over] < 1.0 ? small : large).push(over);
    }
    // Whatever is left is 1 up to rounding: such a column always keeps its own category.
    for (int i : large) {
      keepProbability[i] = 1.0;
      alias[i] = i;
    }
    for (int i : small) {
      keepProbability[i] = 1.0;
      alias[i] = i;
    }
  }

  /**
   * A sampler for the given probabilities after {@link #validated(double[])}.
   *
   * @throws CalmException if a probability is negative or not finite, or they do not sum to 1
   */
  public static CategoricalSampler of(double... probabilities) {
    return new CategoricalSampler(validated(probabilities));
  }

  /**
   * Checks user-given probabilities and returns them normalised to sum exactly to 1. Negative,
   * NaN and infinite values are refused; a sum within {@link #SUM_TOLERANCE} of 1 (rounded input
   * such as 0.33,0.33,0.34 or 1/3 written with three digits) is normalised; anything else is
   * refused, because silently renormalising 0.5,0.2 would hide a typo.
   */
  public static double[] validated(double[] probabilities) {
    if (probabilities == null || probabilities.length == 0) {
      throw new CalmException("probabilities are empty: give at least one, e.g. --probs 0.5,0.5");
    }
    double sum = 0;
    for (int i = 0; i < probabilities.length; i++) {
      double p = probabilities[i];
      if (!Double.isFinite(p) || p < 0) {
        throw new CalmException(String.format(Locale.ROOT,
            "probability %d is %s: every probability must be a finite number >= 0", i + 1, p));
      }
      sum += p;
    }
    if (Math.abs(sum - 1.0) > SUM_TOLERANCE) {
      throw new CalmException(String.format(Locale.ROOT,
          "probabilities sum to %s, not 1 (tolerance %s): fix the values so they sum to 1",
          sum, SUM_TOLERANCE));
    }
    double[] normalised = new double[probabilities.length];
    for (int i = 0; i < probabilities.length; i++) {
      normalised[i] = probabilities[i] / sum;
    }
    return normalised;
  }

  /** Number of categories k. */
  public int size() {
    return probabilities.length;
  }

  /** The normalised probabilities, a copy. */
  public double[] probabilities() {
    return probabilities.clone();
  }

  @Override
  public Integer sample(SplittableRandom rng) {
    int column = rng.nextInt(probabilities.length);
    return rng.nextDouble() < keepProbability[column] ? column : alias[column];
  }
}
