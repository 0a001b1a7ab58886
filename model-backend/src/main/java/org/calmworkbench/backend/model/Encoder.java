package org.calmworkbench.backend.model;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * Compresses each chunk of K tokens into one latent Gaussian (mean ++ log_std).
 *
 * <p>embed K tokens -> first half of the layers per token -> concat the K vectors -> squeeze
 * Linear(K*H -> H) -> second half -> RMSNorm -> Linear(H -> 2L).
 */
public final class Encoder extends CalmBlock {
  private final AutoencoderConfig c;
  private final TokenEmbedding embedTokens;
  private final List<AeLayer> layers = new ArrayList<>();
  private final Linear squeeze;
  private final RmsNorm norm;
  private final Linear hiddenToLatent;

  public Encoder(AutoencoderConfig c) {
    this.c = c;
    embedTokens = child("embed_tokens", new TokenEmbedding(c.vocabSize(), c.hiddenSize()));
    for (int i = 0; i < c.numEncoderLayers(); i++) {
      layers.add(child("encoder_layers." + i, new AeLayer(c)));
    }
    squeeze = child("squeeze_layer", new Linear(c.patchSize() * c.hiddenSize(), c.hiddenSize(), true));
    norm = child("norm", new RmsNorm(c.hiddenSize(), c.rmsNormEps()));
    hiddenToLatent = child("hidden_to_latent", new Linear(c.hiddenSize(), 2 * c.latentSize(), true));
  }

  public TokenEmbedding embedTokens() {
    return embedTokens;
  }

  /** ids [B, P*K] int64 -> [B, P, 2L] (mean ++ log_std). */
  @Override
  public NDArray forward(NDArray ids) {
    long b = ids.getShape().get(0);
    int k = c.patchSize();
    long p = ids.getShape().get(1) / k;
    int half = c.numEncoderLayers() / 2;
    NDArray h = embedTokens.forward(ids).reshape(b * p, k, c.hiddenSize()); // [B*P, K, H]
    for (int i = 0; i < half; i++) {
      h = layers.get(i).forward(h);
    }
    h = squeeze.forward(h.reshape(b * p, 1, (long) k * c.hiddenSize())); // [B*P, 1, H]
    for (int i = half; i < layers.size(); i++) {
      h = layers.get(i).forward(h);
    }
    return hiddenToLatent.forward(norm.forward(h)).reshape(b, p, 2L * c.latentSize()); // [B, P, 2L]
  }
}
