package org.calmworkbench.backend.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.calmworkbench.backend.io.Tensor;
import org.calmworkbench.backend.model.Weights;

/**
 * AdamW exactly as {@code torch.optim.AdamW}, with global-norm gradient clipping and weight decay
 * only on matrices (not on biases or norm weights), on DJL's fused native Adam kernel.
 *
 * <p>The kernel computes {@code w -= lr*wd*w; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 * w -= lr_bc * m / (sqrt(v) + eps')} with {@code lr_bc = lr sqrt(1-b2^t) / (1-b1^t)}. Passing
 * {@code eps' = eps sqrt(1-b2^t)} makes that identical to PyTorch's {@code eps} on the
 * bias-corrected {@code sqrt(v_hat)}. DJL's own clip option clips only the upper bound (STACK.md
 * pitfall 2), so clipping is done here: the global norm is measured once and passed to the kernel
 * as its {@code rescale_grad} factor. The kernel also zeroes the gradient.
 */
public final class AdamW {
  private final Map<String, Parameter> params;
  private final Map<String, NDArray> expAvg = new LinkedHashMap<>();
  private final Map<String, NDArray> expAvgSq = new LinkedHashMap<>();
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double weightDecay;
  private final double clipNorm;
  private long step;
  private NumericFaults.Fault nonFiniteGradient;

  /** {@code manager} owns the optimizer state; it must outlive the optimizer. */
  public AdamW(Map<String, Parameter> params, NDManager manager, double beta1, double beta2, double eps,
      double weightDecay, double clipNorm) {
    this.params = params;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.weightDecay = weightDecay;
    this.clipNorm = clipNorm;
    params.forEach((name, p) -> {
      expAvg.put(name, manager.zeros(p.getShape()));
      expAvgSq.put(name, manager.zeros(p.getShape()));
    });
  }

  public long step() {
    return step;
  }

  /**
   * One update from the gradients left by backward. Gradient handles are attached to {@code
   * stepManager} so nothing leaks onto the parameters' manager.
   *
   * @return the global gradient norm before clipping; when it is not finite nothing is updated
   *     and {@link #nonFiniteGradient()} names the tensor
   */
  public double update(NDManager stepManager, double lr) {
    Map<String, NDArray> grads = new LinkedHashMap<>();
    NDArray sumSq = null;
    for (Map.Entry<String, Parameter> e : params.entrySet()) {
      NDArray g = e.getValue().getArray().getGradient();
      g.attach(stepManager);
      grads.put(e.getKey(), g);
      NDArray s = g.square().sum();
      sumSq = sumSq == null ? s : sumSq.add(s);
    }
    double norm = Math.sqrt(sumSq.getFloat());
    if (!Double.isFinite(norm)) {
      // Leave the weights as they are (the caller stops the run) and find the tensor to name.
      nonFiniteGradient = NumericFaults.firstNonFinite(grads);
      return norm;
    }
    float rescale = clipNorm > 0 && norm > clipNorm ? (float) (clipNorm / (norm + 1e-6)) : 1f;
    step++;
    double bc1 = 1 - Math.pow(beta1, step);
    double bc2 = 1 - Math.pow(beta2, step);
    float lrBiasCorrected = (float) (lr * Math.sqrt(bc2) / bc1);
    float epsT = (float) (eps * Math.sqrt(bc2));
    for (Map.Entry<String, Parameter> e : params.entrySet()) {
      String name = e.getKey();
      NDArray w = e.getValue().getArray();
      float wd = w.getShape().dimension() >= 2 ? (float) weightDecay : 0f;
      w.getNDArrayInternal()
          .adamUpdate(
              new ai.djl.ndarray.NDList(w, grads.get(name), expAvg.get(name), expAvgSq.get(name)),
              new ai.djl.ndarray.NDList(w),
              (float) lr,
              lrBiasCorrected,
              wd,
              rescale,
              -1f, // no per-element clipping
              (float) beta1,
              (float) beta2,
              epsT,
              true,
              true);
    }
    return norm;
  }

  /**
   * The first parameter whose gradient held a NaN or infinity when {@link #update} last returned a
   * non-finite norm (the update was then not applied); null otherwise.
   */
  public NumericFaults.Fault nonFiniteGradient() {
    return nonFiniteGradient;
  }

  /** The moment estimates under {@code <name>.exp_avg} / {@code <name>.exp_avg_sq}. */
  public Map<String, Tensor> exportState() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    expAvg.forEach((n, a) -> out.put(n + ".exp_avg", Weights.toTensor(n + ".exp_avg", a)));
    expAvgSq.forEach((n, a) -> out.put(n + ".exp_avg_sq", Weights.toTensor(n + ".exp_avg_sq", a)));
    return out;
  }

  /** Restores the state written by {@link #exportState()} and the step count. */
  public void importState(Map<String, Tensor> state, long step) {
    expAvg.forEach((n, a) -> a.set(state.get(n + ".exp_avg").data()));
    expAvgSq.forEach((n, a) -> a.set(state.get(n + ".exp_avg_sq").data()));
    this.step = step;
  }

  /** The shapes {@link #importState} needs, for validation with the file's name in errors. */
  public Map<String, int[]> stateShapes() {
    Map<String, int[]> out = new LinkedHashMap<>();
    params.forEach((n, p) -> {
      int[] shape = Arrays.stream(p.getShape().getShape()).mapToInt(Math::toIntExact).toArray();
      out.put(n + ".exp_avg", shape);
      out.put(n + ".exp_avg_sq", shape);
    });
    return out;
  }
}
