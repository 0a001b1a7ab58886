package org.calmworkbench.backend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/** The Llama MLP: {@code down(silu(gate(x)) * up(x))}, no biases. */
public final class SwiGlu extends CalmBlock {
  private final Linear gate;
  private final Linear up;
  private final Linear down;

  public SwiGlu(int hidden, int intermediate) {
    gate = child("gate_proj", new Linear(hidden, intermediate, false));
    up = child("up_proj", new Linear(hidden, intermediate, false));
    down = child("down_proj", new Linear(intermediate, hidden, false));
  }

  @Override
  public NDArray forward(NDArray x) { // [..., H] -> [..., H]
    NDArray g = gate.forward(x); // [..., I]
    return down.forward(silu(g).mul(up.forward(x)));
  }

  static NDArray silu(NDArray x) {
    return x.mul(Activation.sigmoid(x));
  }
}
