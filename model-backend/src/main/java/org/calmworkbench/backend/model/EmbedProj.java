package org.calmworkbench.backend.model;

import ai.djl.ndarray.NDArray;

/**
 * The discrete feedback input (official {@code embed_proj}, an nn.Sequential): the K token
 * embeddings of one chunk, concatenated, compressed to one input vector for the Transformer.
 * Linear(K*H -> 2H) -> SiLU -> Linear(2H -> H) -> LayerNorm(eps 1e-6). The indices 0, 2, 3 are
 * the Sequential's (1 is the parameter-free SiLU).
 */
public final class EmbedProj extends CalmBlock {
  private final Linear in;
  private final Linear out;
  private final LayerNorm norm;

  public EmbedProj(CalmConfig c) {
    int h = c.hiddenSize();
    in = child("0", new Linear(c.patchSize() * h, 2 * h, true));
    out = child("2", new Linear(2 * h, h, true));
    norm = child("3", new LayerNorm(h, LayerNorm.EPS));
  }

  /** chunk token embeddings [B, P, K*H] -> patch embeddings [B, P, H]. */
  @Override
  public NDArray forward(NDArray chunkEmbeds) {
    return afterFirstLayer(in.forward(chunkEmbeds)); // [B, P, 2H] -> [B, P, H]
  }

  /** The first Linear(K*H -> 2H) (its weight [2H, K*H] and bias [2H]); {@link FoldedEmbedProj} folds it. */
  public Linear firstLayer() {
    return in;
  }

  /** The layers after the first Linear: its output [B, P, 2H] -> SiLU -> Linear -> LayerNorm -> [B, P, H]. */
  public NDArray afterFirstLayer(NDArray firstLayerOut) {
    return norm.forward(out.forward(SwiGlu.silu(firstLayerOut)));
  }
}
