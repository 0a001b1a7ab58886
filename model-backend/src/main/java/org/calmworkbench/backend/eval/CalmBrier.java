package org.calmworkbench.backend.eval;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.calmworkbench.backend.data.TokenIds;
import org.calmworkbench.backend.model.Autoencoder;
import org.calmworkbench.backend.model.CalmModel;
import org.calmworkbench.backend.model.KvCache;

/**
 * BrierLM of a CALM model on held-out text: at each position, two independent predictions of the
 * next 4 tokens (sampled latents decoded by the autoencoder's argmax) against the truth.
 *
 * <p>K >= 4: one step predicts a whole chunk, so all positions of a window are scored at once
 * from the teacher-forced hidden states (the first 4 tokens of each predicted chunk). K < 4: each
 * position is rolled out ceil(4/K) chunks autoregressively, twice, feeding the model its own
 * tokens back, as the paper's evaluation does.
 */
public final class CalmBrier {
  private CalmBrier() {}

  public static BrierResult evaluate(CalmModel lm, Autoencoder ae, TokenIds valid, int contextChunks, int positions,
      long seed, NDManager root) {
    return evaluate(lm, ae, valid, contextChunks, positions, seed, root, null);
  }

  /** As above; also counts the sampled latents that decode to a chunk close to them into {@code manifold} (may be null). */
  public static BrierResult evaluate(CalmModel lm, Autoencoder ae, TokenIds valid, int contextChunks, int positions,
      long seed, NDManager root, OnManifold manifold) {
    int k = lm.config().patchSize();
    BrierAccumulator acc = new BrierAccumulator();
    Engine.getInstance().setRandomSeed((int) (seed ^ 0x5bd1e995));
    int rolloutChunks = (4 + k - 1) / k;
    long windowLen = (long) (contextChunks + 1) * k;
    long windows = valid.size() / windowLen;
    int[] buf = new int[(int) windowLen];
    for (long w = 0; w < windows && acc.patches() < positions; w++) {
      valid.copy(w * windowLen, buf, 0, buf.length);
      try (NDManager m = root.newSubManager()) {
        if (k >= 4) {
          teacherForced(lm, ae, buf, contextChunks, positions, acc, m, manifold);
        } else {
          rollouts(lm, ae, buf, contextChunks, rolloutChunks, positions, acc, m, manifold);
        }
      }
    }
    return acc.result();
  }

  private static NDArray ids(NDManager m, int[] tokens, int from, int len, long batch) {
    int[] part = new int[len];
    System.arraycopy(tokens, from, part, 0, len);
    NDArray a = m.create(part, new Shape(1, len)).toType(DataType.INT64, false);
    return batch == 1 ? a : a.repeat(0, batch);
  }

  private static void teacherForced(CalmModel lm, Autoencoder ae, int[] window, int p, int positions,
      BrierAccumulator acc, NDManager m, OnManifold manifold) {
    int k = lm.config().patchSize();
    NDArray input = ids(m, window, 0, p * k, 1); // chunks 0..P-1
    NDArray latents = lm.inputMode().usesLatents() ? ae.encodeMean(input) : null;
    NDArray hidden = lm.transformer().forward(lm.inputs(input, latents)); // [1, P, H]
    NDArray z = lm.sampleLatents(hidden, 2); // [2, 1, P, L]
    NDArray decoded0 = ae.decodeGreedy(z.get(0)); // [1, P*K]
    NDArray decoded1 = ae.decodeGreedy(z.get(1));
    if (manifold != null) {
      manifold.add(z.get(0), ae.encodeMean(decoded0));
      manifold.add(z.get(1), ae.encodeMean(decoded1));
    }
    int[] first = toInts(decoded0.toLongArray()); // [P*K]
    int[] second = toInts(decoded1.toLongArray());
    for (int pos = 0; pos < p && acc.patches() < positions; pos++) {
      int[] x1 = new int[4];
      int[] x2 = new int[4];
      int[] y = new int[4];
      for (int j = 0; j < 4; j++) {
        x1[j] = first[pos * k + j];
        x2[j] = second[pos * k + j];
        y[j] = window[(pos + 1) * k + j];
      }
      acc.add(x1, x2, y);
    }
  }

  private static void rollouts(CalmModel lm, Autoencoder ae, int[] window, int p, int n, int positions,
      BrierAccumulator acc, NDManager m, OnManifold manifold) {
    int k = lm.config().patchSize();
    for (int pos = 0; pos + n <= p && acc.patches() < positions; pos++) {
      try (NDManager s = m.newSubManager(); KvCache cache = lm.newCache(s)) {
        NDArray context = ids(s, window, 0, (pos + 1) * k, 2); // two rollouts share the context
        NDArray latents = lm.inputMode().usesLatents() ? ae.encodeMean(context) : null;
        NDArray h = lm.step(context, latents, cache); // [2, pos+1, H]
        NDArray last = h.get(":, -1:"); // [2, 1, H]
        int[][] pred = new int[2][n * k];
        for (int c = 0; c < n; c++) {
          NDArray z = lm.sampleLatents(last, 1).squeeze(0); // [2, 1, L]
          NDArray tokens = ae.decodeGreedy(z); // [2, K]
          if (manifold != null) {
            manifold.add(z, ae.encodeMean(tokens));
          }
          long[] t = tokens.toLongArray();
          for (int r = 0; r < 2; r++) {
            for (int j = 0; j < k; j++) {
              pred[r][c * k + j] = (int) t[r * k + j];
            }
          }
          if (c + 1 < n) {
            last = lm.step(tokens, lm.inputMode().usesLatents() ? z : null, cache);
          }
        }
        int[] y = new int[4];
        System.arraycopy(window, (pos + 1) * k, y, 0, 4);
        acc.add(java.util.Arrays.copyOf(pred[0], 4), java.util.Arrays.copyOf(pred[1], 4), y);
      }
    }
  }

  static int[] toInts(long[] a) {
    int[] out = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = (int) a[i];
    }
    return out;
  }
}
