package org.calmworkbench.backend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;

/** RMSNorm in float32: {@code w * x / sqrt(mean(x^2) + eps)} over the last axis. */
public final class RmsNorm extends CalmBlock {
  private final Parameter weight;
  private final float eps;

  public RmsNorm(int size, double eps) {
    this.weight = ones("weight", size);
    this.eps = (float) eps;
  }

  @Override
  public NDArray forward(NDArray x) { // [..., H] -> [..., H]
    NDArray meanSquare = x.square().mean(new int[] {-1}, true); // [..., 1]
    return x.div(meanSquare.add(scalar(x, eps)).sqrt()).mul(weight.getArray());
  }
}
