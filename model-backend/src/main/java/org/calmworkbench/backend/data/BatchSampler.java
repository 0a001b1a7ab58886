package org.calmworkbench.backend.data;

import java.util.SplittableRandom;
import org.calmworkbench.backend.CalmException;

/**
 * Draws training batches: B windows of T consecutive token ids at random offsets. Batch {@code
 * step} depends only on (seed, step), so a run resumed from a checkpoint at step s sees the same
 * batches as one that never stopped.
 *
 * <p>With {@code alignment = K} every window starts at a multiple of K, so the patches a CALM
 * autoencoder sees are the same K-token chunks whichever window contains them.
 */
public final class BatchSampler {
  private final TokenIds ids;
  private final int windowLength;
  private final int alignment;
  private final long seed;
  private final long starts; // number of allowed start offsets

  /**
   * @param windowLength T, tokens per window
   * @param alignment window starts are multiples of this (1 for any offset, K for patch-aligned)
   */
  public BatchSampler(TokenIds ids, int windowLength, int alignment, long seed) {
    if (windowLength <= 0 || alignment <= 0) {
      throw new IllegalArgumentException("window length and alignment must be positive, got "
          + windowLength + " and " + alignment);
    }
    if (ids.size() < windowLength) {
      throw new CalmException("the token stream has " + ids.size() + " tokens, fewer than one window of "
          + windowLength + "; use more text or a shorter context");
    }
    this.ids = ids;
    this.windowLength = windowLength;
    this.alignment = alignment;
    this.seed = seed;
    this.starts = (ids.size() - windowLength) / alignment + 1;
  }

  public int windowLength() {
    return windowLength;
  }

  /** Start offsets of the {@code batchSize} windows of batch {@code step}. */
  public long[] offsets(long step, int batchSize) {
    SplittableRandom random = new SplittableRandom(CorpusSplit.mix64(seed) ^ CorpusSplit.mix64(step + 1));
    long[] out = new long[batchSize];
    for (int b = 0; b < batchSize; b++) {
      out[b] = random.nextLong(starts) * alignment;
    }
    return out;
  }

  /** Fills {@code out} ([B, T] row-major, B = out.length / T) with the windows of batch {@code step}. */
  public void fill(long step, int[] out) {
    if (out.length % windowLength != 0) {
      throw new IllegalArgumentException("batch buffer of " + out.length + " ids is not a multiple of T=" + windowLength);
    }
    fill(offsets(step, out.length / windowLength), out);
  }

  /**
   * Fills {@code out} ([B, T] row-major, B = offsets.length) with the windows at {@code offsets}, as
   * {@link #offsets} drew them: for a caller that needs the offsets too (the encoder cache) and
   * draws them once.
   */
  public void fill(long[] offsets, int[] out) {
    if (out.length != offsets.length * windowLength) {
      throw new IllegalArgumentException("batch buffer of " + out.length + " ids is not " + offsets.length + " windows of T="
          + windowLength);
    }
    for (int b = 0; b < offsets.length; b++) {
      ids.copy(offsets[b], out, b * windowLength, windowLength); // row b: [T]
    }
  }

  /** A new [B, T] row-major batch for {@code step}. */
  public int[] batch(long step, int batchSize) {
    int[] out = new int[Math.multiplyExact(batchSize, windowLength)];
    fill(step, out);
    return out;
  }
}
