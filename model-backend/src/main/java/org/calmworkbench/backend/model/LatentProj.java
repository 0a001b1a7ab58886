package org.calmworkbench.backend.model;

import ai.djl.ndarray.NDArray;

/**
 * The continuous input of the input ablation (not in the official model): the previous chunk's
 * latent vector [L] -> Linear(L -> 2H) -> SiLU -> Linear(2H -> H) -> LayerNorm, the same shape of
 * network as {@link EmbedProj}, so the two inputs differ only in what they read.
 */
public final class LatentProj extends CalmBlock {
  private final Linear in;
  private final Linear out;
  private final LayerNorm norm;

  public LatentProj(CalmConfig c) {
    int h = c.hiddenSize();
    in = child("0", new Linear(c.latentSize(), 2 * h, true));
    out = child("2", new Linear(2 * h, h, true));
    norm = child("3", new LayerNorm(h, LayerNorm.EPS));
  }

  /** latents [B, P, L] -> [B, P, H]. */
  @Override
  public NDArray forward(NDArray latents) {
    return norm.forward(out.forward(SwiGlu.silu(in.forward(latents))));
  }
}
