package org.calmworkbench.backend.model;

/**
 * The cosine noise schedule of Nichol and Dhariwal (2021), discretised as in their code:
 *
 * <pre>
 *   f(u)      = cos^2( (u + s) / (1 + s) * pi / 2 ),  s = 0.008
 *   beta_i    = min(1 - f((i + 1) / T) / f(i / T), 0.999)        i = 0 .. T-1
 *   alphaBar_i = prod_{j <= i} (1 - beta_j)                      (= f((i + 1) / T) / f(0) unclipped)
 * </pre>
 *
 * so that x_i = sqrt(alphaBar_i) x_0 + sqrt(1 - alphaBar_i) eps. Computed in double.
 */
public final class CosineSchedule {
  public static final double S = 0.008;
  public static final double MAX_BETA = 0.999;

  private CosineSchedule() {}

  /** f(u), u in [0, 1]. */
  public static double f(double u) {
    double c = Math.cos((u + S) / (1 + S) * Math.PI / 2);
    return c * c;
  }

  public static double[] betas(int t) {
    double[] b = new double[t];
    for (int i = 0; i < t; i++) {
      b[i] = Math.min(1 - f((i + 1.0) / t) / f((double) i / t), MAX_BETA);
    }
    return b;
  }

  public static double[] alphaBars(int t) {
    double[] b = betas(t);
    double[] a = new double[t];
    double prod = 1;
    for (int i = 0; i < t; i++) {
      prod *= 1 - b[i];
      a[i] = prod;
    }
    return a;
  }

  /**
   * The timesteps a sampler with {@code steps} steps visits, ascending: floor(i T / steps) for i =
   * 0 .. steps-1 (the "leading" respacing of DDIM implementations; it starts at T - T/steps rather
   * than at T-1, where alphaBar is about 1e-9 and the first x0 estimate would blow up).
   */
  public static int[] respaced(int trainSteps, int steps) {
    int[] out = new int[steps];
    for (int i = 0; i < steps; i++) {
      out[i] = (int) ((long) i * trainSteps / steps);
    }
    return out;
  }
}
