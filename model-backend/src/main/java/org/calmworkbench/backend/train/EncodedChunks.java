package org.calmworkbench.backend.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.function.DoubleConsumer;
import org.calmworkbench.backend.data.TokenIds;
import org.calmworkbench.backend.model.Autoencoder;

/**
 * The frozen encoder's output (mean ++ log_std, 2L values) for every K-token chunk of the training
 * split, computed once before CALM training instead of at every step.
 *
 * <p>Why it is exact: the encoder reads each chunk on its own (no attention across chunks) and is
 * frozen, and training windows start at multiples of K ({@link
 * org.calmworkbench.backend.data.BatchSampler} with alignment K), so chunk j of the window at offset
 * o is chunk o / K + j of the split, whichever window holds it. Only floating-point rounding can
 * differ from encoding inside the step (tested to 1e-5).
 *
 * <p>Why it matters: the encoder's cost is per token and a CALM step reads (P + 1) K tokens per
 * window; with a larger batch for larger K (the K sweep's {@code lm.positions_per_step}) it was most
 * of the step. Kept on the heap (a few floats per token); {@link #worthIt} decides when the one-off
 * pass pays.
 */
final class EncodedChunks {
  /** {@code -Dcalm.encodeOnce=false} turns the cache off, to measure what it saves (docs/BENCHMARKS.md). */
  static final String PROPERTY = "calm.encodeOnce";

  /** Heap the cache may take: 64 Mi floats (256 MiB). */
  static final long MAX_FLOATS = 64L << 20;
  /** Chunks encoded per engine call while building. */
  static final int BUILD_BATCH = 4096;

  private final float[] values; // [chunks, width] row-major
  private final int width;
  private final int k;

  private EncodedChunks(float[] values, int width, int k) {
    this.values = values;
    this.width = width;
    this.k = k;
  }

  /**
   * True when the cache fits {@link #MAX_FLOATS} and a run of {@code steps} steps would encode at
   * least as many chunks as the split holds (a short run on a large corpus encodes per step).
   */
  static boolean worthIt(long splitTokens, int k, int latentSize, long steps, int batchSize, int chunksPerWindow) {
    long chunks = splitTokens / k;
    long floats = chunks * 2L * latentSize;
    double encodedByTheRun = (double) steps * batchSize * chunksPerWindow;
    return floats <= MAX_FLOATS && encodedByTheRun >= chunks;
  }

  /**
   * The cache for the CALM run {@code r}, or null when the run encodes per step: when {@link
   * #worthIt} says the one-off pass does not pay, or {@code -Dcalm.encodeOnce=false} ({@link
   * #PROPERTY}) turns it off.
   */
  static EncodedChunks forRun(Autoencoder ae, CalmTrainer.Request r, NDManager parent, DoubleConsumer progress) {
    if ("false".equals(System.getProperty(PROPERTY))) {
      return null;
    }
    int k = r.model().patchSize();
    boolean worthIt = worthIt(r.trainIds().size(), k, r.model().latentSize(), r.train().steps(), r.train().batchSize(),
        r.lm().contextChunks() + 1);
    return worthIt ? build(ae, r.trainIds(), k, parent, progress) : null;
  }

  /** Encodes every whole chunk of {@code ids} ({@code ids.size() / k} of them) with {@code ae}. */
  static EncodedChunks build(Autoencoder ae, TokenIds ids, int k, NDManager parent) {
    return build(ae, ids, k, parent, f -> {});
  }

  /** As above, telling {@code progress} the fraction of chunks encoded so far. */
  static EncodedChunks build(Autoencoder ae, TokenIds ids, int k, NDManager parent, DoubleConsumer progress) {
    long chunks = ids.size() / k;
    int width = 2 * ae.config().latentSize();
    float[] values = new float[Math.toIntExact(chunks * width)];
    int[] buf = new int[BUILD_BATCH * k];
    for (long first = 0; first < chunks; first += BUILD_BATCH) {
      int n = (int) Math.min(BUILD_BATCH, chunks - first);
      int[] slice = n == BUILD_BATCH ? buf : new int[n * k];
      ids.copy(first * k, slice, 0, n * k);
      try (NDManager m = parent.newSubManager()) {
        NDArray x = m.create(slice, new Shape(n, k)).toType(DataType.INT64, false);
        float[] out = ae.encode(x).toFloatArray(); // [n, 1, 2L]
        System.arraycopy(out, 0, values, Math.toIntExact(first * width), out.length);
      }
      progress.accept((double) (first + n) / chunks);
    }
    return new EncodedChunks(values, width, k);
  }

  /** The encoder output of the windows at {@code offsets} (token offsets, multiples of K): [B, P+1, 2L]. */
  NDArray windows(NDManager m, long[] offsets, int chunksPerWindow) {
    float[] out = new float[offsets.length * chunksPerWindow * width];
    for (int b = 0; b < offsets.length; b++) {
      if (offsets[b] % k != 0) {
        throw new IllegalArgumentException("window offset " + offsets[b] + " is not a multiple of K=" + k);
      }
      long chunk = offsets[b] / k;
      System.arraycopy(values, Math.toIntExact(chunk * width), out, b * chunksPerWindow * width, chunksPerWindow * width);
    }
    return m.create(out, new Shape(offsets.length, chunksPerWindow, width));
  }
}
