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

  @Override
  public NDArray forward(NDArray x) { // [..., in] -> [..., out]
    return ai.djl.nn.core.Linear.linear(x, weight.getArray(), bias == null ? null : bias.getArray())
        .singletonOrThrow();
  }
}
