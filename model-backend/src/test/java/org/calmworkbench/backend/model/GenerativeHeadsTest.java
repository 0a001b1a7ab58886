package org.calmworkbench.backend.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.Map;
import java.util.SplittableRandom;
import org.calmworkbench.backend.train.AdamW;
import org.junit.jupiter.api.Test;

/**
 * The three generative heads on their own: each is fitted to a small conditional 2-D Gaussian
 * mixture (the targets are "posteriors", so the head sees samples of it), then its samples are
 * compared with the mixture's mean and standard deviation; the flow ODE solver against a velocity
 * field with a known solution; the cosine schedule against its formula.
 */
class GenerativeHeadsTest {
  static final int H = 16;
  // Many posterior samples per row cost no extra ops and keep the gradient noise low enough for
  // the diffusion head's epsilon at high noise levels, whose errors DDIM/DDPM amplify.
  static final int STEPS = 200;
  static final double LR = 5e-3;
  static final int SAMPLES = 128;
  static final int L = 2;
  static final float STD = 0.3f;
  // Condition A: components (1.5, 1.5) and (-1.5, -1.5); condition B: (3, 0) and (1, 0).
  static final float[] MEANS = {1.5f, 1.5f, -1.5f, -1.5f, 3f, 0f, 1f, 0f};
  // Mixture moments per condition and dimension: A mean (0, 0), std sqrt(1.5^2 + 0.3^2); B (2, 0), (sqrt(1 + 0.09), 0.3).
  static final double[][] TARGET_MEAN = {{0, 0}, {2, 0}};
  static final double[][] TARGET_STD = {{Math.sqrt(2.25 + 0.09), Math.sqrt(2.25 + 0.09)}, {Math.sqrt(1.09), 0.3}};

  /** The energy head's settings: noise_size 8, num_mlp_layers 2, N = 16 samples, beta 1. */
  static CalmConfig energyConfig() {
    return new CalmConfig(new BackboneConfig(16, H, 32, 1, 2, 1e-6, 10000.0), L, 1, 2, new HeadConfig.Energy(8, 16, 1.0, 8));
  }

  /** Two fixed condition vectors [2, H]. */
  static float[] conditions() {
    SplittableRandom r = new SplittableRandom(11);
    float[] c = new float[2 * H];
    for (int i = 0; i < c.length; i++) {
      c[i] = (float) r.nextGaussian();
    }
    return c;
  }

  /** Per-row hidden states [4, H]: A, A, B, B (two mixture components per condition). */
  static NDArray rowHidden(NDManager m) {
    float[] c = conditions();
    float[] rows = new float[4 * H];
    System.arraycopy(c, 0, rows, 0, H);
    System.arraycopy(c, 0, rows, H, H);
    System.arraycopy(c, H, rows, 2 * H, H);
    System.arraycopy(c, H, rows, 3 * H, H);
    return m.create(rows, new Shape(4, H));
  }

  /** Trains {@code block} and returns {mean loss of the first 30 steps, mean of the last 30}. */
  static double[] fit(CalmBlock block, int steps, double lr, int samples, NDManager params) {
    GenerativeHead head = (GenerativeHead) block;
    Engine.getEngine("PyTorch").setRandomSeed(5);
    block.initializeParameters(params);
    Map<String, Parameter> ps = block.namedParameters();
    AdamW opt = new AdamW(ps, params, 0.9, 0.99, 1e-8, 0, 1.0);
    double first = 0;
    double last = 0;
    for (int step = 0; step < steps; step++) {
      try (NDManager sm = params.newSubManager()) {
        NDArray hidden = rowHidden(sm);
        NDArray mean = sm.create(MEANS, new Shape(4, L));
        NDArray std = sm.full(new Shape(4, L), STD);
        float loss;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDArray l = head.trainingLoss(sm, hidden, mean, std, samples);
          loss = l.getFloat();
          gc.backward(l);
        }
        assertTrue(Float.isFinite(loss), head.type() + " loss at step " + step + " is " + loss);
        opt.update(sm, lr);
        if (step < 30) {
          first += loss / 30;
        } else if (step >= steps - 30) {
          last += loss / 30;
        }
      }
    }
    return new double[] {first, last};
  }

  /** Mean and std per condition and dimension of samples [N, 2, L]: {mean[2][L], std[2][L]}. */
  static double[][][] moments(NDArray samples) {
    float[] s = samples.toFloatArray();
    int n = (int) samples.getShape().get(0);
    double[][] mean = new double[2][L];
    double[][] sq = new double[2][L];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < 2; c++) {
        for (int d = 0; d < L; d++) {
          double v = s[(i * 2 + c) * L + d];
          mean[c][d] += v / n;
          sq[c][d] += v * v / n;
        }
      }
    }
    double[][] std = new double[2][L];
    for (int c = 0; c < 2; c++) {
      for (int d = 0; d < L; d++) {
        std[c][d] = Math.sqrt(Math.max(0, sq[c][d] - mean[c][d] * mean[c][d]));
      }
    }
    return new double[][][] {mean, std};
  }

  static void assertMatchesMixture(String what, double[][][] mom, double tol) {
    for (int c = 0; c < 2; c++) {
      for (int d = 0; d < L; d++) {
        String where = what + " condition " + "AB".charAt(c) + " dim " + d + ": mean " + mom[0][c][d] + " (want "
            + TARGET_MEAN[c][d] + "), std " + mom[1][c][d] + " (want " + TARGET_STD[c][d] + ")";
        assertTrue(Math.abs(mom[0][c][d] - TARGET_MEAN[c][d]) < tol, where);
        assertTrue(Math.abs(mom[1][c][d] - TARGET_STD[c][d]) < tol, where);
      }
    }
  }

  static double[][][] sampleMoments(GenerativeHead head, NDManager m, int n) {
    Engine.getEngine("PyTorch").setRandomSeed(9);
    return moments(head.sample(m.create(conditions(), new Shape(2, H)), n));
  }

  @Test
  void energyHeadFitsAConditionalMixture() {
    try (NDManager params = NDManager.newBaseManager()) {
      EnergyHead head = new EnergyHead(energyConfig(), (HeadConfig.Energy) energyConfig().head());
      double[] loss = fit(head, 2 * STEPS, LR, SAMPLES, params); // learns the spread more slowly than the others
      assertTrue(loss[1] < 0.8 * loss[0], "energy loss " + loss[0] + " -> " + loss[1]);
      try (NDManager m = params.newSubManager()) {
        assertMatchesMixture("energy", sampleMoments(head, m, 1000), 0.3);
      }
    }
  }

  @Test
  void flowHeadFitsAConditionalMixtureAndOneEulerStepOnlyFindsTheMean() {
    try (NDManager params = NDManager.newBaseManager()) {
      FlowHead head = new FlowHead(L, H, 2, 8, HeadConfig.MIDPOINT);
      double[] loss = fit(head, STEPS, LR, SAMPLES, params);
      assertTrue(loss[1] < 0.8 * loss[0], "flow loss " + loss[0] + " -> " + loss[1]);
      try (NDManager m = params.newSubManager()) {
        double[][][] many = sampleMoments(head, m, 1000);
        assertMatchesMixture("flow, 8 midpoint steps", many, 0.3);
        // One Euler step moves every noise to E[x1 - x0 | x0] + x0 = E[x1]: the spread collapses.
        Engine.getEngine("PyTorch").setRandomSeed(9);
        NDArray hidden = m.create(conditions(), new Shape(2, H));
        double[][][] one = moments(head.integrate(hidden, head.noise(m, new Shape(1000, 2)), 1, HeadConfig.EULER));
        double errOne = Math.abs(one[1][0][0] - TARGET_STD[0][0]);
        double errMany = Math.abs(many[1][0][0] - TARGET_STD[0][0]);
        assertTrue(errMany < errOne, "std of A with 8 midpoint steps " + many[1][0][0] + ", with 1 step " + one[1][0][0]
            + ", target " + TARGET_STD[0][0]);
      }
    }
  }

  @Test
  void diffusionHeadFitsAConditionalMixtureWithAncestralAndDdimSampling() {
    try (NDManager params = NDManager.newBaseManager()) {
      DiffusionHead head = new DiffusionHead(L, H, 2, 1000, 25, 1.0);
      double[] loss = fit(head, STEPS, LR, SAMPLES, params);
      assertTrue(loss[1] < 0.8 * loss[0], "diffusion loss " + loss[0] + " -> " + loss[1]);
      try (NDManager m = params.newSubManager()) {
        assertMatchesMixture("diffusion, 25 ancestral steps", sampleMoments(head, m, 1000), 0.3);
        Engine.getEngine("PyTorch").setRandomSeed(9);
        NDArray hidden = m.create(conditions(), new Shape(2, H));
        NDArray ddim = head.sample(hidden, m.randomNormal(new Shape(1000, 2, L)), 25, 0.0);
        assertMatchesMixture("diffusion, 25 DDIM steps", moments(ddim), 0.3);
      }
    }
  }

  /**
   * Gaussian to Gaussian: for x0 ~ N(0, 1), x1 ~ N(mu, s^2) independent, the rectified-flow
   * velocity E[x1 - x0 | x_t = x] is mu + (t s^2 - (1 - t)) / ((1 - t)^2 + t^2 s^2) (x - t mu), and
   * its ODE carries x0 to exactly mu + s x0. Euler and midpoint approach that map as steps grow.
   */
  @Test
  void odeSolverConvergesToTheKnownFlowMapWithMoreSteps() {
    float[] mu = {2f, -1f};
    float[] s = {0.5f, 1.5f};
    FlowHead.VelocityField v = (x, t) -> {
      float tt = t.getFloat(0);
      float[] a = new float[L];
      float[] tm = new float[L];
      for (int d = 0; d < L; d++) {
        a[d] = (tt * s[d] * s[d] - (1 - tt)) / ((1 - tt) * (1 - tt) + tt * tt * s[d] * s[d]);
        tm[d] = tt * mu[d];
      }
      NDManager m = x.getManager();
      return x.sub(m.create(tm)).mul(m.create(a)).add(m.create(mu));
    };
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x0 = m.create(new float[] {-2f, -1f, -0.5f, 0f, 0.3f, 1f, 1.7f, 2.5f}, new Shape(4, L));
      NDArray exact = x0.mul(m.create(s)).add(m.create(mu));
      double[] euler = new double[4];
      double[] midpoint = new double[4];
      int[] steps = {1, 4, 16, 64};
      for (int i = 0; i < steps.length; i++) {
        euler[i] = FlowHead.integrate(v, x0, steps[i], HeadConfig.EULER).sub(exact).abs().max().getFloat();
        midpoint[i] = FlowHead.integrate(v, x0, steps[i], HeadConfig.MIDPOINT).sub(exact).abs().max().getFloat();
      }
      for (int i = 1; i < steps.length; i++) {
        assertTrue(euler[i] < euler[i - 1], "Euler error at " + steps[i] + " steps " + euler[i] + " vs " + euler[i - 1]);
        assertTrue(midpoint[i] < midpoint[i - 1] || midpoint[i] < 1e-5,
            "midpoint error at " + steps[i] + " steps " + midpoint[i] + " vs " + midpoint[i - 1]);
        assertTrue(midpoint[i] < euler[i], "midpoint " + midpoint[i] + " vs Euler " + euler[i] + " at " + steps[i]);
      }
      assertTrue(euler[0] > 0.5, "one Euler step maps everything to the mean; error " + euler[0]);
      assertTrue(midpoint[3] < 1e-3, "64 midpoint steps: error " + midpoint[3]);
    }
  }

  /**
   * DDIM with the exact noise predictor of a Gaussian x0 ~ N(mu, s^2): E[eps | x_t] = sqrt(1 - a)
   * (x - sqrt(a) mu) / (a s^2 + 1 - a). The probability-flow map from the first visited timestep
   * top is x0 = mu + s (x_top - sqrt(a_top) mu) / sqrt(a_top s^2 + 1 - a_top); DDIM approaches it as
   * the steps grow.
   */
  @Test
  void ddimWithTheExactNoisePredictorConvergesToTheKnownMap() {
    float[] mu = {2f, -1f};
    float[] s = {0.5f, 1.5f};
    double[] alphaBars = CosineSchedule.alphaBars(1000);
    DiffusionHead.NoisePredictor eps = (x, t) -> {
      double a = alphaBars[(int) t.getFloat(0)];
      float[] c = new float[L];
      float[] shift = new float[L];
      for (int d = 0; d < L; d++) {
        c[d] = (float) (Math.sqrt(1 - a) / (a * s[d] * s[d] + 1 - a));
        shift[d] = (float) (Math.sqrt(a) * mu[d]);
      }
      NDManager m = x.getManager();
      return x.sub(m.create(shift)).mul(m.create(c));
    };
    try (NDManager m = NDManager.newBaseManager()) {
      float[] z = {-2f, -1f, -0.5f, 0f, 0.3f, 1f, 1.7f, 2.5f};
      NDArray noise = m.create(z, new Shape(4, L));
      int[] steps = {3, 10, 40, 200};
      double[] err = new double[steps.length];
      for (int i = 0; i < steps.length; i++) {
        int[] taus = CosineSchedule.respaced(1000, steps[i]);
        double aTop = alphaBars[taus[taus.length - 1]];
        float[] want = new float[z.length];
        for (int r = 0; r < 4; r++) {
          for (int d = 0; d < L; d++) {
            want[r * L + d] = (float) (mu[d] + s[d] * (z[r * L + d] - Math.sqrt(aTop) * mu[d])
                / Math.sqrt(aTop * s[d] * s[d] + 1 - aTop));
          }
        }
        err[i] = DiffusionHead.ddim(eps, alphaBars, taus, noise).sub(m.create(want, new Shape(4, L))).abs().max()
            .getFloat();
      }
      for (int i = 1; i < steps.length; i++) {
        assertTrue(err[i] < err[i - 1], "DDIM error at " + steps[i] + " steps " + err[i] + " vs " + err[i - 1]);
      }
      assertTrue(err[steps.length - 1] < 0.05, "DDIM error at 200 steps " + err[steps.length - 1]);
    }
  }

  @Test
  void cosineScheduleMatchesTheFormula() {
    int t = 1000;
    double[] betas = CosineSchedule.betas(t);
    double[] alphaBars = CosineSchedule.alphaBars(t);
    double f0 = Math.pow(Math.cos(0.008 / 1.008 * Math.PI / 2), 2);
    for (int i = 0; i < t - 1; i++) {
      double u = (i + 1.0) / t;
      double want = Math.pow(Math.cos((u + 0.008) / 1.008 * Math.PI / 2), 2) / f0;
      assertEquals(want, alphaBars[i], 1e-9 * Math.max(want, 1e-6), "alphaBar_" + i);
      assertTrue(betas[i] > 0 && betas[i] < 0.999, "beta_" + i + " = " + betas[i]);
      if (i > 0) {
        assertTrue(alphaBars[i] < alphaBars[i - 1], "alphaBar decreases");
      }
    }
    assertEquals(0.999, betas[t - 1], 0, "the last beta is clipped at 0.999 (f(1) = 0)");
    assertEquals(alphaBars[t - 2] * 0.001, alphaBars[t - 1], 1e-15);
    assertEquals(0.5, alphaBars[t / 2 - 1], 0.02, "alphaBar is about 1/2 half way (the cosine schedule's point)");
    assertArrayEquals(new int[] {0, 40, 80, 120, 160, 200, 240, 280, 320, 360, 400, 440, 480, 520, 560, 600, 640, 680,
        720, 760, 800, 840, 880, 920, 960}, CosineSchedule.respaced(t, 25));
    assertArrayEquals(new int[] {0, 333, 666}, CosineSchedule.respaced(t, 3));
  }
}
