package org.calmworkbench.backend.bench;

import java.util.List;
import java.util.function.ToLongFunction;

/** Growth of a memory figure between the sample after warm-up and the last sample. */
public final class MemoryGrowth {
  private MemoryGrowth() {}

  /** One measurement during training: the step it was taken after, resident set size and heap used after GC. */
  /**
   * @param heapCommittedBytes heap the JVM has reserved from the OS (part of RSS once touched)
   * @param nonHeapCommittedBytes metaspace, JIT code cache and the like
   * @param liveNdArrays NDArrays alive in the engine's managers (-1: not counted)
   */
  public record Sample(long step, long rssBytes, long heapUsedBytes, long heapCommittedBytes, long nonHeapCommittedBytes,
      int liveNdArrays) {
    public Sample(long step, long rssBytes, long heapUsedBytes) {
      this(step, rssBytes, heapUsedBytes, -1, -1, -1);
    }

    /**
     * RSS minus the committed Java heap: memory outside the Java heap (PyTorch's tensors, malloc
     * arenas, JVM metaspace and code, the loaded libraries), so the Java heap growing or shrinking
     * under G1 does not count. -1 when either is unknown. Committed heap pages that were never
     * touched are not resident, so this can underestimate the native part; its growth is what tells
     * a native leak or fragmentation.
     */
    public long nativeBytes() {
      return rssBytes < 0 || heapCommittedBytes < 0 ? -1 : Math.max(0, rssBytes - heapCommittedBytes);
    }
  }

  /**
   * Percent growth of {@code value} from the first sample at or after {@code warmupStep} to the last
   * sample: 100 * (last - base) / base. NaN when there is no such sample, it is the last one, or a
   * value is unknown (negative).
   */
  public static double percent(List<Sample> samples, long warmupStep, ToLongFunction<Sample> value) {
    Sample base = baseline(samples, warmupStep);
    if (base == null || samples.isEmpty()) {
      return Double.NaN;
    }
    Sample last = samples.get(samples.size() - 1);
    if (last == base) {
      return Double.NaN;
    }
    long b = value.applyAsLong(base);
    long e = value.applyAsLong(last);
    if (b <= 0 || e < 0) {
      return Double.NaN;
    }
    return 100.0 * (e - b) / b;
  }

  /** Percent growth from the warm-up sample to the largest later sample (a peak that came down again still counts). */
  public static double peakPercent(List<Sample> samples, long warmupStep, ToLongFunction<Sample> value) {
    Sample base = baseline(samples, warmupStep);
    if (base == null) {
      return Double.NaN;
    }
    long b = value.applyAsLong(base);
    if (b <= 0) {
      return Double.NaN;
    }
    long max = Long.MIN_VALUE;
    boolean after = false;
    for (Sample s : samples) {
      if (after) {
        max = Math.max(max, value.applyAsLong(s));
      }
      after |= s == base;
    }
    return max == Long.MIN_VALUE || max < 0 ? Double.NaN : 100.0 * (max - b) / b;
  }

  /** The first sample taken at or after {@code warmupStep}, or null. */
  public static Sample baseline(List<Sample> samples, long warmupStep) {
    for (Sample s : samples) {
      if (s.step() >= warmupStep) {
        return s;
      }
    }
    return null;
  }
}
