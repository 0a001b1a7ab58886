package org.calmworkbench.backend.train;

import java.util.SplittableRandom;

/** Draws training chunks: {@code count} runs of {@code k} consecutive token ids into {@code dst}. */
@FunctionalInterface
public interface PatchSampler {
  void sample(long[] dst, int count, int k, SplittableRandom rng);

  /**
   * Uniformly random start offsets into a token file (chunks may cross documents). Each chunk is
   * read with {@code TokenIds.copy}, which checks first that a mapped token file was not truncated
   * under the run (per-token {@code get} did not: a real training whose cache was cut ended in an
   * {@code InternalError} from compiled code, reported as an internal error).
   */
  static PatchSampler uniform(org.calmworkbench.backend.data.TokenIds tokens) {
    return (dst, count, k, rng) -> {
      long n = tokens.size();
      if (n < k) {
        throw new org.calmworkbench.backend.CalmException(
            "training split has " + n + " tokens, fewer than one chunk of K=" + k);
      }
      int[] chunk = new int[k];
      for (int i = 0; i < count; i++) {
        long start = rng.nextLong(n - k + 1);
        tokens.copy(start, chunk, 0, k);
        for (int j = 0; j < k; j++) {
          dst[i * k + j] = chunk[j];
        }
      }
    };
  }

  /** Uniformly random start offsets into a flat token array (chunks may cross documents). */
  static PatchSampler uniform(int[] tokens) {
    return (dst, count, k, rng) -> {
      if (tokens.length < k) {
        throw new org.calmworkbench.backend.CalmException(
            "corpus has " + tokens.length + " tokens, fewer than one chunk of K=" + k);
      }
      for (int i = 0; i < count; i++) {
        int start = rng.nextInt(tokens.length - k + 1);
        for (int j = 0; j < k; j++) {
          dst[i * k + j] = tokens[start + j];
        }
      }
    };
  }
}
