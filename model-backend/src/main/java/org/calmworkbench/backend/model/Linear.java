package org.calmworkbench.backend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;

/** {@code y = x W^T + b} with PyTorch's layout: weight [out, in], bias [out] (optional). */
public final class Linear extends CalmBlock {
  private final Parameter weight;
  private final Parameter bias;

  public Linear(int in, int out, boolean withBias) {
    this.weight = weight("weight", out, in);
    this.bias = withBias ? zeros("bias", out) : null;
  }

  /** The weight [out, in] (the live parameter array: do not close or modify it). */
  public NDArray weightArray() {
    return weight.getArray();
  }

  /** The bias [out], or null for a layer without one (the live parameter array). */
  public NDArray biasArray() {
    return bias == null ? null : bias.getArray();
  }

  @Override
  public NDArray forward(NDArray x) { // [..., in] -> [..., out]
    return ai.djl.nn.core.Linear.linear(x, weight.getArray(), bias == null ? null : bias.getArray())
        .singletonOrThrow();
  }
}
