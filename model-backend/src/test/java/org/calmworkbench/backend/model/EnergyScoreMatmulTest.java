package org.calmworkbench.backend.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link EnergyScore}'s matmul form (|x|^2 + |y|^2 - 2 x.y on shifted samples) against the
 * difference form it replaced (every x_i - y_m materialised, squared and summed; kept here as the
 * reference), value and gradient with respect to x, on random inputs: unit-scale samples, latents
 * of norm ~10 spread 0.1 per coordinate, nearly coincident samples (1e-3 per coordinate around a
 * point of norm 10), and model samples far from the targets.
 *
 * <p>Tolerances: the score within {@link #VALUE_TOL} of the size of its two terms at each position
 * (diversity + 2 accuracy; the score itself, their difference, can be near 0); the gradient within
 * {@link #GRAD_TOL} of the reference gradient's largest entry. Measured errors are about 1e-7 and
 * 1e-6 (printed); the mutants in {@link #theComparisonCatchesMistakes} miss by 1e-2 or more.
 */
class EnergyScoreMatmulTest {
  static final double VALUE_TOL = 1e-5;
  static final double GRAD_TOL = 1e-5;

  /** A way of computing the score: x [N, ..., L], y [M, ..., L] -> [...]. */
  interface Form {
    NDArray score(NDArray x, NDArray y, double beta);
  }

  /** The score's two terms per position, [B] each, from the difference form. */
  record Terms(NDArray diversity, NDArray accuracy) {}

  /** The difference form (EnergyScore before the matmul rewrite): N x M x B x L differences. */
  static Terms referenceTerms(NDArray x, NDArray y, double beta) {
    Shape xs = x.getShape();
    int dims = xs.dimension();
    long n = xs.get(0);
    long mSamples = y.getShape().get(0);
    long b = xs.slice(1, dims - 1).size();
    long l = xs.get(dims - 1);
    NDManager mgr = x.getManager();
    NDArray x3 = x.reshape(n, b, l); // [N, B, L]
    NDArray y3 = y.reshape(mSamples, b, l); // [M, B, L]
    NDArray dxx = referenceDistance(x3.expandDims(1).sub(x3.expandDims(0)), beta); // [N, N, B]
    NDArray offDiagonal = mgr.eye(Math.toIntExact(n)).neg().add(mgr.create(1f)).reshape(n, n, 1);
    NDArray diversity = dxx.mul(offDiagonal).reshape(n * n, b).sum(new int[] {0})
        .div(mgr.create((float) (n * (n - 1)))); // [B]
    NDArray dxy = referenceDistance(x3.expandDims(1).sub(y3.expandDims(0)), beta); // [N, M, B]
    NDArray accuracy = dxy.reshape(n * mSamples, b).mean(new int[] {0}); // [B]
    return new Terms(diversity, accuracy);
  }

  static NDArray referenceScore(NDArray x, NDArray y, double beta) {
    Terms t = referenceTerms(x, y, beta);
    Shape xs = x.getShape();
    return t.diversity().sub(t.accuracy().mul(x.getManager().create(2f))).reshape(xs.slice(1, xs.dimension() - 1));
  }

  private static NDArray referenceDistance(NDArray diff, double beta) {
    NDManager mgr = diff.getManager();
    int last = diff.getShape().dimension() - 1;
    NDArray norm = diff.square().sum(new int[] {last}).maximum(mgr.create(EnergyScore.MIN_SQUARED)).sqrt();
    return beta == 1.0 ? norm : norm.pow(mgr.create((float) beta));
  }

  /**
   * Deliberately wrong matmul forms, to show the comparison can fail: {@code crossFactor} multiplies
   * x.y (2 is right), {@code accuracyWeight} the accuracy term (2 is right), {@code shift} whether
   * the samples are first shifted by their mean (without it, float32 cancellation at norm 10).
   */
  static Form mutant(float crossFactor, float accuracyWeight, boolean shift) {
    return (x, y, beta) -> {
      Shape xs = x.getShape();
      int dims = xs.dimension();
      long n = xs.get(0);
      long mSamples = y.getShape().get(0);
      Shape batch = xs.slice(1, dims - 1);
      long b = batch.size();
      long l = xs.get(dims - 1);
      NDManager mgr = x.getManager();
      NDArray x3 = x.reshape(n, b, l);
      NDArray y3 = y.reshape(mSamples, b, l);
      if (shift) {
        NDArray center = x3.mean(new int[] {0}).stopGradient();
        x3 = x3.sub(center);
        y3 = y3.sub(center);
      }
      NDArray xb = x3.transpose(1, 0, 2);
      NDArray yb = y3.transpose(1, 0, 2);
      NDArray xn = xb.square().sum(new int[] {2});
      NDArray yn = yb.square().sum(new int[] {2});
      NDArray cross = mgr.create(crossFactor);
      NDArray sxx = xn.expandDims(2).add(xn.expandDims(1)).sub(xb.batchMatMul(xb.transpose(0, 2, 1)).mul(cross));
      NDArray sxy = xn.expandDims(2).add(yn.expandDims(1)).sub(xb.batchMatMul(yb.transpose(0, 2, 1)).mul(cross));
      NDArray floor = mgr.create(EnergyScore.MIN_SQUARED);
      NDArray pow = mgr.create((float) beta);
      NDArray dxx = sxx.maximum(floor).sqrt().pow(pow);
      NDArray dxy = sxy.maximum(floor).sqrt().pow(pow);
      NDArray offDiagonal = mgr.eye(Math.toIntExact(n)).neg().add(mgr.create(1f)).reshape(1, n, n);
      NDArray diversity = dxx.mul(offDiagonal).reshape(b, n * n).sum(new int[] {1})
          .div(mgr.create((float) (n * (n - 1))));
      NDArray accuracy = dxy.reshape(b, n * mSamples).mean(new int[] {1});
      return diversity.sub(accuracy.mul(mgr.create(accuracyWeight))).reshape(batch);
    };
  }

  /** Random samples x [N, batch..., L] and y [M, batch..., L] in one of the regimes below. */
  static NDArray[] samples(NDManager m, String regime, int n, int mSamples, long[] batch, int l) {
    long[] pos = Arrays.copyOf(batch, batch.length + 1);
    pos[batch.length] = l;
    Shape posShape = new Shape(pos); // [batch..., L]
    Shape xShape = new Shape(n).addAll(posShape);
    Shape yShape = new Shape(mSamples).addAll(posShape);
    // A per-position point of norm ~10 (each of its L coordinates ~ N(0, 100 / L)).
    NDArray point = m.randomNormal(posShape).mul(m.create((float) (10 / Math.sqrt(l))));
    switch (regime) {
      case "unit": // x, y ~ N(0, 1): distances ~ sqrt(2 L)
        return new NDArray[] {m.randomNormal(xShape), m.randomNormal(yShape)};
      case "norm10": // latents of norm ~10, spread 0.1 per coordinate around a common point
        return new NDArray[] {point.add(m.randomNormal(xShape).mul(m.create(0.1f))),
            point.add(m.randomNormal(yShape).mul(m.create(0.1f)))};
      case "coincident": // spread 1e-3 around a point of norm ~10: distances ~ 1e-2
        return new NDArray[] {point.add(m.randomNormal(xShape).mul(m.create(1e-3f))),
            point.add(m.randomNormal(yShape).mul(m.create(1e-3f)))};
      case "far": // model samples around one point, targets around another, both of norm ~10
        NDArray other = m.randomNormal(posShape).mul(m.create((float) (10 / Math.sqrt(l))));
        return new NDArray[] {point.add(m.randomNormal(xShape).mul(m.create(0.1f))),
            other.add(m.randomNormal(yShape).mul(m.create(0.1f)))};
      default:
        throw new IllegalArgumentException(regime);
    }
  }

  /** Errors of {@code form} against the difference form: {value, gradient}, each relative as documented. */
  static double[] errors(NDManager m, Form form, NDArray x, NDArray y, double beta) {
    Shape xs = x.getShape();
    long b = xs.slice(1, xs.dimension() - 1).size();
    NDArray weights = m.randomUniform(0.5f, 1.5f, xs.slice(1, xs.dimension() - 1)); // every position counts
    Terms terms = referenceTerms(x, y, beta);
    float[] scale = terms.diversity().add(terms.accuracy().mul(m.create(2f))).toFloatArray();
    float[][] values = new float[2][];
    float[][] grads = new float[2][];
    Form[] forms = {EnergyScoreMatmulTest::referenceScore, form};
    for (int f = 0; f < 2; f++) {
      NDArray xg = x.duplicate();
      xg.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray score = forms[f].score(xg, y, beta);
        assertArrayEquals(xs.slice(1, xs.dimension() - 1).getShape(), score.getShape().getShape());
        values[f] = score.toFloatArray();
        gc.backward(score.mul(weights).sum().div(m.create((float) b)));
      }
      grads[f] = xg.getGradient().toFloatArray();
    }
    double valueError = 0;
    for (int i = 0; i < scale.length; i++) {
      valueError = Math.max(valueError, Math.abs(values[1][i] - values[0][i]) / scale[i]);
    }
    double gradMax = 0;
    double gradError = 0;
    for (int i = 0; i < grads[0].length; i++) {
      assertTrue(Float.isFinite(grads[1][i]), "gradient must be finite");
      gradMax = Math.max(gradMax, Math.abs(grads[0][i]));
      gradError = Math.max(gradError, Math.abs(grads[1][i] - grads[0][i]));
    }
    return new double[] {valueError, gradError / gradMax};
  }

  static long[] batch(String spec) {
    return Arrays.stream(spec.split("x")).mapToLong(Long::parseLong).toArray();
  }

  @ParameterizedTest(name = "beta {0}, N {1}, M {2}, batch {3}, L {4}, {5}")
  @CsvSource({
      "1.0, 2, 1, 3x5, 16, unit",
      "1.5, 2, 1, 3x5, 16, unit",
      "1.0, 8, 32, 3x5, 64, norm10",
      "1.5, 8, 32, 3x5, 64, norm10",
      "1.0, 8, 32, 3x5, 128, coincident",
      "1.5, 8, 32, 3x5, 128, coincident",
      "1.0, 3, 7, 7, 128, norm10",
      "1.5, 5, 1, 2x1x4, 16, coincident",
      "1.0, 4, 16, 3x5, 32, far",
      "1.5, 6, 3, 3x5, 32, far",
      "1.0, 8, 32, 16x32, 64, norm10",
      "1.5, 8, 32, 16x32, 64, coincident"})
  void matmulFormMatchesDifferenceForm(double beta, int n, int mSamples, String batchSpec, int l, String regime) {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(31 * n + 7 * mSamples + l);
      NDArray[] xy = samples(m, regime, n, mSamples, batch(batchSpec), l);
      double[] err = errors(m, EnergyScore::score, xy[0], xy[1], beta);
      System.out.printf(Locale.ROOT, "beta %.1f N %d M %d batch %s L %d %-10s value error %.2g, gradient error %.2g%n",
          beta, n, mSamples, batchSpec, l, regime, err[0], err[1]);
      assertTrue(err[0] <= VALUE_TOL, "score differs from the difference form by " + err[0] + " (relative)");
      assertTrue(err[1] <= GRAD_TOL, "gradient differs from the difference form by " + err[1] + " (relative)");
    }
  }

  /** The comparison above must fail for plausible mistakes; the correct mutant must pass it. */
  @Test
  void theComparisonCatchesMistakes() {
    try (NDManager m = NDManager.newBaseManager()) {
      for (double beta : new double[] {1.0, 1.5}) {
        m.getEngine().setRandomSeed(3);
        NDArray[] norm10 = samples(m, "norm10", 8, 32, new long[] {3, 5}, 64);
        NDArray[] coincident = samples(m, "coincident", 8, 32, new long[] {3, 5}, 64);
        double[] right = errors(m, mutant(2f, 2f, true), norm10[0], norm10[1], beta);
        double[] crossOnce = errors(m, mutant(1f, 2f, true), norm10[0], norm10[1], beta);
        double[] accuracyOnce = errors(m, mutant(2f, 1f, true), norm10[0], norm10[1], beta);
        double[] unshifted = errors(m, mutant(2f, 2f, false), coincident[0], coincident[1], beta);
        System.out.printf(Locale.ROOT, "beta %.1f value/gradient errors: right %.2g/%.2g, x.y once %.2g/%.2g,"
            + " accuracy once %.2g/%.2g, unshifted at norm 10 and spread 1e-3 %.2g/%.2g%n", beta,
            right[0], right[1], crossOnce[0], crossOnce[1], accuracyOnce[0], accuracyOnce[1], unshifted[0], unshifted[1]);
        assertTrue(right[0] <= VALUE_TOL && right[1] <= GRAD_TOL, "the correct form must pass");
        for (double[] wrong : new double[][] {crossOnce, accuracyOnce, unshifted}) {
          assertTrue(wrong[0] > VALUE_TOL && wrong[1] > GRAD_TOL, "a wrong form must fail value and gradient");
        }
      }
    }
  }
}
