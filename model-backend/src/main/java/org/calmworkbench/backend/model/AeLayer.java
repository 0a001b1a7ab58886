package org.calmworkbench.backend.model;

import ai.djl.ndarray.NDArray;

/** One autoencoder layer: {@code x + SwiGLU(RMSNorm(x))} (no attention: tokens never mix here). */
public final class AeLayer extends CalmBlock {
  private final SwiGlu mlp;
  private final RmsNorm layernorm;

  public AeLayer(AutoencoderConfig c) {
    mlp = child("mlp", new SwiGlu(c.hiddenSize(), c.intermediateSize()));
    layernorm = child("layernorm", new RmsNorm(c.hiddenSize(), c.rmsNormEps()));
  }

  @Override
  public NDArray forward(NDArray x) {
    return x.add(mlp.forward(layernorm.forward(x)));
  }
}
