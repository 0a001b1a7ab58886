package org.calmworkbench.backend.bench;

import java.util.Arrays;
import org.calmworkbench.backend.CalmException;

/**
 * Statistics of the gaps between consecutive timestamps, e.g. JavaFX pulses recorded by a pulse
 * timer: a responsive UI pulses every ~16.7 ms, and a long gap is a stall the user sees.
 */
public final class IntervalStats {
  private IntervalStats() {}

  /**
   * @param gaps number of gaps (timestamps - 1)
   * @param overThreshold gaps strictly longer than {@code thresholdMs}
   */
  public record Summary(int gaps, double maxMs, double p99Ms, double p50Ms, double meanMs, double thresholdMs,
      int overThreshold) {}

  /**
   * Gaps between the first {@code n} of {@code nanos} (increasing timestamps in nanoseconds).
   *
   * @throws CalmException with fewer than two timestamps or timestamps that go back
   */
  public static Summary of(long[] nanos, int n, double thresholdMs) {
    if (n < 2 || n > nanos.length) {
      throw new CalmException("pulse statistics need at least 2 timestamps, got " + n);
    }
    double[] gaps = new double[n - 1];
    double sum = 0;
    int over = 0;
    for (int i = 1; i < n; i++) {
      long d = nanos[i] - nanos[i - 1];
      if (d < 0) {
        throw new CalmException("timestamps go back at index " + i + " (" + nanos[i - 1] + " then " + nanos[i] + ")");
      }
      gaps[i - 1] = d / 1e6;
      sum += gaps[i - 1];
      if (gaps[i - 1] > thresholdMs) {
        over++;
      }
    }
    double[] sorted = gaps.clone();
    Arrays.sort(sorted);
    return new Summary(gaps.length, sorted[sorted.length - 1], percentile(sorted, 99), percentile(sorted, 50),
        sum / gaps.length, thresholdMs, over);
  }

  /** Nearest-rank percentile of sorted values: the smallest value with at least p% of the values at or below it. */
  public static double percentile(double[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
