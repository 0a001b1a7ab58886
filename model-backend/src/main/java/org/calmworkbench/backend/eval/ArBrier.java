package org.calmworkbench.backend.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.data.TokenIds;
import org.calmworkbench.backend.model.ArModel;
import org.calmworkbench.backend.model.KvCache;
import org.calmworkbench.backend.sampling.LogitSampler;

/**
 * BrierLM of the autoregressive baseline on held-out text, scored exactly as CALM's is: at each
 * position, two independent continuations of 4 tokens, each sampled token by token from
 * {@code softmax(logits)} (temperature 1) with a KV cache, against the true next 4 tokens, through
 * the same {@link BrierAccumulator}.
 *
 * <p>The windows and positions are CALM's: non-overlapping held-out windows of
 * {@code contextTokens + stride} tokens, scored after {@code stride, 2 stride, ..., contextTokens}
 * tokens of context. With {@code stride} = CALM's K and {@code contextTokens} = context_chunks * K
 * these are exactly the (window, position) pairs {@link CalmBrier} scores, so the two numbers
 * compare like for like.
 *
 * <p>Because this model has likelihoods, the exact Brier-1 at a position, {@code 2 p(y) -
 * sum_v p_v^2}, is also computed from the first softmax, and its mean is reported next to the
 * two-sample estimate: the estimator is unbiased for it, so the two must agree within sampling
 * error (the paired difference's standard error is reported for that check).
 */
public final class ArBrier {
  private ArBrier() {}

  /** Tokens per scored continuation: Brier-1 to Brier-4. */
  static final int HORIZON = Brier.ORDERS;

  /**
   * @param sampled the two-sample Brier-1..4 and BrierLM, as for CALM
   * @param exactBrier1 mean over the same positions of the exact {@code 2 p(y) - sum p^2}
   * @param exactBrier1StandardError its standard error over positions
   * @param differenceStandardError standard error of the mean of (two-sample value - exact value)
   *     per position: {@code (sampled.brier(1) - exactBrier1) / differenceStandardError} is a
   *     z-score that stays within a few units when the estimator works
   */
  public record Result(BrierResult sampled, double exactBrier1, double exactBrier1StandardError,
      double differenceStandardError) {
    public long positions() {
      return sampled.patches();
    }

    /** The two-sample minus the exact Brier-1, in units of its standard error. */
    public double brier1ZScore() {
      return (sampled.brier(1) - exactBrier1) / differenceStandardError;
    }
  }

  /**
   * Scores up to {@code positions} held-out positions.
   *
   * @param contextTokens longest context, in tokens (CALM: context_chunks * K)
   * @param stride tokens between scored positions (CALM: K)
   * @param seed the sampling RNG's seed: the same seed gives the same result
   * @param root arrays of each position live on a sub-manager of it, closed right after
   */
  public static Result evaluate(ArModel model, TokenIds valid, int contextTokens, int stride, int positions, long seed,
      NDManager root) {
    if (stride < 1 || contextTokens < stride) {
      throw new CalmException("BrierLM needs a context of at least one stride: context " + contextTokens
          + " tokens, stride " + stride);
    }
    int windowLength = contextTokens + Math.max(stride, HORIZON);
    BrierAccumulator acc = new BrierAccumulator();
    SplittableRandom rng = new SplittableRandom(seed ^ 0x5bd1e995L);
    Moments exact = new Moments();
    Moments difference = new Moments();
    int[] window = new int[windowLength];
    long windows = valid.size() / windowLength;
    for (long w = 0; w < windows && acc.patches() < positions; w++) {
      valid.copy(w * windowLength, window, 0, windowLength);
      for (int t = stride; t <= contextTokens && acc.patches() < positions; t += stride) {
        int[] truth = new int[HORIZON];
        System.arraycopy(window, t, truth, 0, HORIZON);
        int[][] draws = new int[2][HORIZON];
        double e;
        try (NDManager m = root.newSubManager()) {
          e = continuations(model, window, t, truth[0], draws, rng, m);
        }
        acc.add(draws[0], draws[1], truth);
        exact.add(e);
        difference.add(Brier.patchScore(draws[0], draws[1], truth, 1) - e);
      }
    }
    return new Result(acc.result(), exact.mean(), exact.standardError(), difference.standardError());
  }

  /**
   * Samples two continuations of {@code HORIZON} tokens after {@code window[0..t)} into {@code
   * draws} (both rows in one batch sharing the context) and returns the exact Brier-1 of the first
   * token's distribution against {@code next}.
   */
  private static double continuations(ArModel model, int[] window, int t, int next, int[][] draws,
      SplittableRandom rng, NDManager m) {
    int v = model.config().vocabSize();
    long[] context = new long[2 * t]; // [2, t]: the same context twice
    for (int i = 0; i < t; i++) {
      context[i] = window[i];
      context[t + i] = window[i];
    }
    try (KvCache cache = model.newCache(m)) {
      NDArray logits = model.step(m.create(context, new Shape(2, t)), cache).get(":, -1, :"); // [2, V]
      double exact = Double.NaN;
      for (int j = 0; j < HORIZON; j++) {
        float[] rows = logits.toFloatArray(); // [2 * V]
        long[] chosen = new long[2];
        for (int r = 0; r < 2; r++) {
          double[] p = LogitSampler.probabilities(rows, r * v, v, 1.0);
          if (j == 0 && r == 0) {
            exact = Brier.exactBrier1(p, next);
          }
          draws[r][j] = LogitSampler.sample(p, rng);
          chosen[r] = draws[r][j];
        }
        if (j + 1 < HORIZON) {
          logits = model.step(m.create(chosen, new Shape(2, 1)), cache).get(":, -1, :"); // [2, V]
        }
      }
      return exact;
    }
  }
}
