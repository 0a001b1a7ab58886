package org.calmworkbench.backend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

/**
 * LayerNorm over the last axis with weight and bias: {@code w * (x - mean) / sqrt(var + eps) + b},
 * var the biased variance (as {@code torch.nn.LayerNorm}). CALM uses eps 1e-6 everywhere.
 */
public final class LayerNorm extends CalmBlock {
  /** The epsilon of every LayerNorm in the official CALM code. */
  public static final double EPS = 1e-6;

  private final Parameter weight;
  private final Parameter bias;
  private final int size;
  private final float eps;

  public LayerNorm(int size, double eps) {
    this.size = size;
    this.weight = ones("weight", size);
    this.bias = zeros("bias", size);
    this.eps = (float) eps;
  }

  @Override
  public NDArray forward(NDArray x) { // [..., H] -> [..., H]
    // The engine's fused layer_norm over the trailing shape [H]; its first operand is x.
    return ai.djl.nn.norm.LayerNorm.layerNorm(x, new Shape(size), weight.getArray(), bias.getArray(), eps)
        .singletonOrThrow();
  }
}
