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
 * <p>Squared distances as matrix products: |x_i - y_m|^2 = |x_i|^2 + |y_m|^2 - 2 x_i . y_m, with
 * the dot products of every pair as one batched matmul over the positions ([B, N, L] x [B, L, M]).
 * Memory: N x M x B distances (plus N x N x B), not the N x M x B x L differences of the official
 * code (8 x 32 x 512 x 64 floats = 34 MB per tensor at the laptop preset, several of them in forward
 * and backward; 8 x 100 x 4096 x 128 = 1.7 GB at the paper's, where the distances take 13 MB).
 *
 * <p>Float32 cancellation: |x|^2 + |y|^2 - 2 x.y carries an absolute error of a few 1e-7 times
 * |x|^2 + |y|^2 (1e-6 relative), which for latents of norm 10 would be about 1e-4 in the squared
 * distance: 0.01 in a distance, as large as the distances themselves once the head's samples sit
 * close to the target. So both sets are first shifted by the same per-position point, the mean of
 * the model's samples (distances do not change; the shift is detached, which leaves the gradient
 * exact too): the error is then ~1e-6 of the squared spread of the samples around that mean,
 * whatever the latents' norm. Left inexact: a pair far closer together than the samples' spread
 * (under ~1e-3 of it), whose distance comes out as anything from 0 to ~1e-3 of the spread and whose
 * gradient is then bounded but inaccurate; the score, an average over all pairs, barely moves.
 * EnergyScoreMatmulTest checks values and gradients against the difference form.
 *
 * <p>Differentiable. The gradient of |d| at d = 0 is undefined (PyTorch's norm returns 0 there,
 * a plain sqrt gives NaN): the squared distance is clamped below at {@link #MIN_SQUARED} before the
 * square root, which also absorbs small negative values left by cancellation and gives coinciding
 * samples (and, after the shift, a head collapsed to one point) a zero gradient; the i = j terms
 * are masked out.
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

    // The shift that keeps the cancellation error relative to the samples' spread, not their norm.
    NDArray center = x3.mean(new int[] {0}).stopGradient(); // [B, L]
    NDArray xb = x3.sub(center).transpose(1, 0, 2); // [B, N, L]
    NDArray yb = y3.sub(center).transpose(1, 0, 2); // [B, M, L]
    NDArray xNorms = xb.square().sum(new int[] {2}); // [B, N]
    NDArray yNorms = yb.square().sum(new int[] {2}); // [B, M]
    NDArray two = mgr.create(2f);

    NDArray sxx = xNorms.expandDims(2).add(xNorms.expandDims(1))
        .sub(xb.batchMatMul(xb.transpose(0, 2, 1)).mul(two)); // [B, N, N]
    NDArray offDiagonal = mgr.eye(Math.toIntExact(n)).neg().add(mgr.create(1f)).reshape(1, n, n); // 1 - I
    NDArray diversity = distance(sxx, beta).mul(offDiagonal).reshape(b, n * n).sum(new int[] {1}) // [B]
        .div(mgr.create((float) (n * (n - 1))));

    NDArray sxy = xNorms.expandDims(2).add(yNorms.expandDims(1))
        .sub(xb.batchMatMul(yb.transpose(0, 2, 1)).mul(two)); // [B, N, M]
    NDArray accuracy = distance(sxy, beta).reshape(b, n * mSamples).mean(new int[] {1}); // [B]

    return diversity.sub(accuracy.mul(two)).reshape(batch); // [...]
  }

  /** The training loss: the negated score averaged over every position, a scalar. */
  public static NDArray loss(NDArray x, NDArray y, double beta) {
    return score(x, y, beta).mean().neg();
  }

  /** squared distances [...] -> |d|^beta [...], clamped below at {@link #MIN_SQUARED} first. */
  private static NDArray distance(NDArray squared, double beta) {
    NDManager mgr = squared.getManager();
    NDArray norm = squared.maximum(mgr.create(MIN_SQUARED)).sqrt();
    return beta == 1.0 ? norm : norm.pow(mgr.create((float) beta));
  }
}
