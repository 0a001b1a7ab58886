package org.calmworkbench.backend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * The autoregressive baseline: a Llama-style next-token model on the same {@link Backbone} code as
 * CALM, so the two differ only in what one step predicts (one token here, a K-token chunk there).
 *
 * <pre>
 *   ids [B, T] -> transformer.embed_tokens -> [B, T, H]
 *              -> transformer (causal Llama layers, final RMSNorm) -> [B, T, H]
 *              -> lm_head (H -> V, no bias; untied from the embedding, as in Llama) -> logits [B, T, V]
 * </pre>
 *
 * logits[:, t] scores token t+1 given tokens 0..t. Parameter names follow the Hugging Face Llama
 * layout under CALM's prefix: {@code transformer.embed_tokens.weight},
 * {@code transformer.layers.N.*}, {@code transformer.norm.weight}, {@code lm_head.weight}.
 *
 * <p>Generation: {@code cache = newCache(m)}; {@code logits = step(prompt, cache)}; draw a token
 * from {@code logits[:, -1]}; {@code logits = step(thatToken, cache)}; repeat.
 */
public final class ArModel extends CalmBlock {
  private final ArConfig config;
  private final Backbone transformer;
  private final Linear lmHead;

  public ArModel(ArConfig config) {
    this.config = config;
    transformer = child("transformer", new Backbone(config.backbone()));
    lmHead = child("lm_head", new Linear(config.backbone().hiddenSize(), config.backbone().vocabSize(), false));
  }

  public ArConfig config() {
    return config;
  }

  public Backbone transformer() {
    return transformer;
  }

  /** ids [B, T] int64 -> next-token logits [B, T, V]; position t sees tokens 0..t. */
  @Override
  public NDArray forward(NDArray ids) {
    NDArray h = transformer.forward(transformer.embedTokens().forward(ids)); // [B, T, H]
    return lmHead.forward(h); // [B, T, V]
  }

  /** An empty key/value cache for {@link #step}, on a sub-manager of {@code manager}. */
  public KvCache newCache(NDManager manager) {
    return transformer.newCache(manager);
  }

  /** An empty cache preallocated for {@code positions} positions (latent steps for CALM, tokens for AR). */
  public KvCache newCache(NDManager manager, long positions) {
    return transformer.newCache(manager, positions);
  }

  /**
   * Appends n tokens, ids [B, n], to the context held by {@code cache} and returns their logits
   * [B, n, V]; equal to the matching rows of {@link #forward} over the whole sequence.
   */
  public NDArray step(NDArray ids, KvCache cache) {
    NDArray h = transformer.step(transformer.embedTokens().forward(ids), cache); // [B, n, H]
    return lmHead.forward(h); // [B, n, V]
  }

  /**
   * Multiply-accumulates per token in the forward pass, matrix products only: per layer the four
   * attention projections and the SwiGLU, then the output head (attention scores, which grow
   * with the context, are left out).
   */
  public double matmulParamsPerToken() {
    BackboneConfig b = config.backbone();
    double h = b.hiddenSize();
    double layer = 4 * h * h + 3 * h * b.intermediateSize();
    return b.numHiddenLayers() * layer + h * b.vocabSize();
  }
}
