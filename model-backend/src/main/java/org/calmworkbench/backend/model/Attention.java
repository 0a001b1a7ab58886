package org.calmworkbench.backend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * Causal multi-head self-attention as in Llama: q/k/v/o projections without biases, rotary
 * position embedding on q and k, softmax(q k^T / sqrt(D)) v over the current and earlier
 * positions.
 */
public final class Attention extends CalmBlock {
  /** Added to the scores of future positions: exp() of it is exactly 0 in float32. */
  private static final float MASKED = -1e9f;

  private final int heads;
  private final int headSize;
  private final Linear qProj;
  private final Linear kProj;
  private final Linear vProj;
  private final Linear oProj;
  private final RotaryEmbedding rope;

  public Attention(BackboneConfig c) {
    this.heads = c.numAttentionHeads();
    this.headSize = c.headSize();
    int h = c.hiddenSize();
    qProj = child("q_proj", new Linear(h, h, false));
    kProj = child("k_proj", new Linear(h, h, false));
    vProj = child("v_proj", new Linear(h, h, false));
    oProj = child("o_proj", new Linear(h, h, false));
    rope = new RotaryEmbedding(headSize, c.ropeTheta());
  }

  /** Full causal attention over x [B, T, H] at positions 0..T-1. */
  @Override
  public NDArray forward(NDArray x) {
    return forward(x, null, -1, cosSin(x.getManager(), 0, Math.toIntExact(x.getShape().get(1))));
  }

  /**
   * The rotary cos and sin tables [n, D] for positions {@code offset .. offset+n-1}, on {@code m}.
   * Every layer's are the same (same head size and theta), so a decoding step makes them once.
   */
  NDList cosSin(NDManager m, long offset, int n) {
    return rope.cosSin(m, offset, n);
  }

  /**
   * Attention for the n new positions x [B, n, H], rotated with {@code cosSin} ({@link #cosSin} of
   * their positions). With a cache they sit at positions {@code cache.length() ..} and also attend
   * to every cached position; their keys and values are appended to layer {@code layer} of the cache.
   */
  NDArray forward(NDArray x, KvCache cache, int layer, NDList cosSin) {
    NDManager m = x.getManager();
    long b = x.getShape().get(0);
    int n = Math.toIntExact(x.getShape().get(1));
    long offset = cache == null ? 0 : cache.length();
    NDArray q = heads(qProj.forward(x), b, n); // [B, nh, n, D]
    NDArray k = heads(kProj.forward(x), b, n); // [B, nh, n, D]
    if (cache != null) {
      // Decoding: q and k rotated as one array [2B, nh, n, D], the same elementwise ops on the same
      // values (so the same floats) in 10 native calls instead of 14; a step is bound by their number.
      NDList qk = RotaryEmbedding.apply(q.concat(k, 0), cosSin.get(0), cosSin.get(1)).split(2, 0);
      q = qk.get(0);
      k = qk.get(1);
    } else {
      q = RotaryEmbedding.apply(q, cosSin.get(0), cosSin.get(1));
      k = RotaryEmbedding.apply(k, cosSin.get(0), cosSin.get(1));
    }
    NDArray v = heads(vProj.forward(x), b, n); // [B, nh, n, D]
    if (cache != null) {
      NDArray[] kv = cache.append(layer, k, v, m);
      k = kv[0]; // [B, nh, S, D]
      v = kv[1]; // [B, nh, S, D]
    }
    NDArray kT = k.transpose(0, 1, 3, 2); // [B, nh, D, S], a view
    kT.attach(m); // the step's, whichever manager k is on
    long s = offset + n;
    // q first: results of ops whose first operand is a cached (or parameter) array attach to that
    // array's manager (STACK.md pitfall 4).
    NDArray scores = q.matMul(kT).mul(scalar(x, (float) (1.0 / Math.sqrt(headSize)))); // [B, nh, n, S]
    if (n > 1) {
      scores = scores.add(causalBias(m, offset, n, s)); // [n, S] broadcast
    }
    NDArray out = scores.softmax(3).matMul(v); // [B, nh, n, D]
    return oProj.forward(out.transpose(0, 2, 1, 3).reshape(b, n, (long) heads * headSize)); // [B, n, H]
  }

  /** [B, n, H] -> [B, heads, n, D]. */
  private NDArray heads(NDArray x, long b, int n) {
    return x.reshape(b, n, heads, headSize).transpose(0, 2, 1, 3);
  }

  /** 0 where query i (at position offset + i) may see key j, MASKED where j is in its future. */
  private static NDArray causalBias(NDManager m, long offset, int n, long s) {
    NDArray keyPos = m.arange(0f, (float) s).expandDims(0); // [1, S]
    NDArray queryPos = m.arange((float) offset, (float) (offset + n)).expandDims(1); // [n, 1]
    return keyPos.gt(queryPos).toType(DataType.FLOAT32, false).mul(m.create(MASKED)); // [n, S]
  }
}
