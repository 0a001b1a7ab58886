package org.calmworkbench.backend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * One pre-norm Llama decoder layer: {@code x + attn(RMSNorm(x))}, then {@code x + SwiGLU(RMSNorm(x))}.
 */
public final class LlamaLayer extends CalmBlock {
  private final RmsNorm inputLayernorm;
  private final Attention selfAttn;
  private final RmsNorm postAttentionLayernorm;
  private final SwiGlu mlp;

  public LlamaLayer(BackboneConfig c) {
    inputLayernorm = child("input_layernorm", new RmsNorm(c.hiddenSize(), c.rmsNormEps()));
    selfAttn = child("self_attn", new Attention(c));
    postAttentionLayernorm = child("post_attention_layernorm", new RmsNorm(c.hiddenSize(), c.rmsNormEps()));
    mlp = child("mlp", new SwiGlu(c.hiddenSize(), c.intermediateSize()));
  }

  @Override
  public NDArray forward(NDArray x) { // [B, T, H] -> [B, T, H]
    return forward(x, null, -1);
  }

  /** x [B, n, H] at the positions after those in {@code cache} (null: positions 0..n-1). */
  NDArray forward(NDArray x, KvCache cache, int layer) {
    return forward(x, cache, layer, selfAttn.cosSin(x.getManager(), cache == null ? 0 : cache.length(),
        Math.toIntExact(x.getShape().get(1))));
  }

  /** As {@link #forward(NDArray, KvCache, int)} with the step's rotary tables ({@link Attention#cosSin}). */
  NDArray forward(NDArray x, KvCache cache, int layer, NDList cosSin) {
    NDArray h = x.add(selfAttn.forward(inputLayernorm.forward(x), cache, layer, cosSin)); // [B, n, H]
    return h.add(mlp.forward(postAttentionLayernorm.forward(h)));
  }

  Attention selfAttn() {
    return selfAttn;
  }
}
