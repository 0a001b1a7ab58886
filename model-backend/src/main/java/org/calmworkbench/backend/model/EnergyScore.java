package org.calmworkbench.backend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The energy score, a strictly proper scoring rule for 0 < beta < 2 that needs only samples:
 *
 * <pre>
 *   score = 1/(N(N-1)) sum_{i != j} |x_i - x_j|^beta  -  2/(N M) sum_{i, m} |x_i - y_m|^beta
 * </pre>
 *
 * with x the model's N samples, y M samples of the target, |.| the Euclidean norm over the latent
 * axis. Higher is better; the training loss is its negation, averaged over positions. The first
 * term rewards diversity (it stops the head collapsing to a point), the second accuracy.
 *
 * <p>Differentiable. The gradient of |d| at d = 0 is undefined (PyTorch's norm returns 0 there,
 * a plain sqrt gives NaN): the squared distance is clamped below at {@link #MIN_SQUARED} before the
 * square root, which leaves every distance above 1e-10 exact and gives coinciding samples a zero
 * gradient; the i = j terms are masked out. Memory: the second term materialises N x M x B x L
 * differences (as the official code does), e.g. 8 x 100 x 4096 x 128 floats = 1.7 GB; keep B*L
 * modest or split the batch.
 */
public final class EnergyScore {
  /** Squared distances below this are clamped (1e-10 in distance) so sqrt has a finite gradient. */
  public static final float MIN_SQUARED = 1e-20f;

  private EnergyScore() {}

  /** x [N, ..., L] model samples, y [M, ..., L] target samples -> score [...]. */
  public static NDArray score(NDArray x, NDArray y, double beta) {
    Shape xs = x.getShape();
    Shape ys = y.getShape();
    int dims = xs.dimension();
    if (dims < 2 || ys.dimension() != dims || !xs.slice(1).equals(ys.slice(1))) {
      throw new IllegalArgumentException("energy score needs x [N, ..., L] and y [M, ..., L] with equal trailing"
          + " shapes; got " + xs + " and " + ys);
    }
    long n = xs.get(0);
    long mSamples = ys.get(0);
    if (n < 2) {
      throw new IllegalArgumentException("energy score needs at least two model samples, got " + n);
    }
    Shape batch = xs.slice(1, dims - 1);
    long b = batch.size();
    long l = xs.get(dims - 1);
    NDManager mgr = x.getManager();
    NDArray x3 = x.reshape(n, b, l); // [N, B, L]
    NDArray y3 = y.reshape(mSamples, b, l); // [M, B, L]

    NDArray dxx = distance(x3.expandDims(1).sub(x3.expandDims(0)), beta); // [N, N, B]
    NDArray offDiagonal = mgr.eye(Math.toIntExact(n)).neg().add(mgr.create(1f)).reshape(n, n, 1); // 1 - I
    NDArray diversity = dxx.mul(offDiagonal).reshape(n * n, b).sum(new int[] {0}) // [B]
        .div(mgr.create((float) (n * (n - 1))));

    NDArray dxy = distance(x3.expandDims(1).sub(y3.expandDims(0)), beta); // [N, M, B]
    NDArray accuracy = dxy.reshape(n * mSamples, b).mean(new int[] {0}); // [B]

    return diversity.sub(accuracy.mul(mgr.create(2f))).reshape(batch); // [...]
  }

  /** The training loss: the negated score averaged over every position, a scalar. */
  public static NDArray loss(NDArray x, NDArray y, double beta) {
    return score(x, y, beta).mean().neg();
  }

  /** differences [..., L] -> |d|^beta [...]. */
  private static NDArray distance(NDArray diff, double beta) {
    NDManager mgr = diff.getManager();
    int last = diff.getShape().dimension() - 1;
    NDArray squared = diff.square().sum(new int[] {last}); // [...]
    NDArray norm = squared.maximum(mgr.create(MIN_SQUARED)).sqrt();
    return beta == 1.0 ? norm : norm.pow(mgr.create((float) beta));
  }
}
