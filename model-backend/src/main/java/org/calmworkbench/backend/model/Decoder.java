package org.calmworkbench.backend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes one latent vector back into K token distributions.
 *
 * <p>Linear(L -> H) -> first half of the layers -> expand Linear(H -> K*H) -> split into K
 * positions -> second half -> RMSNorm -> logits against the tied embedding matrix.
 */
public final class Decoder extends CalmBlock {
  private final AutoencoderConfig c;
  private final Linear latentToHidden;
  private final List<AeLayer> layers = new ArrayList<>();
  private final Linear expand;
  private final RmsNorm norm;
  private final Parameter tiedEmbedding; // owned by the encoder; not one of this block's names

  public Decoder(AutoencoderConfig c, Parameter tiedEmbedding) {
    this.c = c;
    this.tiedEmbedding = tiedEmbedding;
    latentToHidden = child("latent_to_hidden", new Linear(c.latentSize(), c.hiddenSize(), true));
    for (int i = 0; i < c.numDecoderLayers(); i++) {
      layers.add(child("decoder_layers." + i, new AeLayer(c)));
    }
    expand = child("expand_layer", new Linear(c.hiddenSize(), c.patchSize() * c.hiddenSize(), true));
    norm = child("norm", new RmsNorm(c.hiddenSize(), c.rmsNormEps()));
  }

  /** latent [B, P, L] -> hidden states [B*P, K, H] right before the output projection. */
  public NDArray hidden(NDArray latent) {
    long b = latent.getShape().get(0);
    long p = latent.getShape().get(1);
    int k = c.patchSize();
    int half = c.numDecoderLayers() / 2;
    NDArray h = latentToHidden.forward(latent).reshape(b * p, 1, c.hiddenSize()); // [B*P, 1, H]
    for (int i = 0; i < half; i++) {
      h = layers.get(i).forward(h);
    }
    h = expand.forward(h).reshape(b * p, k, c.hiddenSize()); // [B*P, K, H]
    for (int i = half; i < layers.size(); i++) {
      h = layers.get(i).forward(h);
    }
    return norm.forward(h);
  }

  /** latent [B, P, L] -> logits [B, P*K, V]. */
  @Override
  public NDArray forward(NDArray latent) {
    long b = latent.getShape().get(0);
    long p = latent.getShape().get(1);
    NDArray logits = ai.djl.nn.core.Linear.linear(hidden(latent), tiedEmbedding.getArray()).singletonOrThrow();
    return logits.reshape(b, p * c.patchSize(), c.vocabSize());
  }
}
