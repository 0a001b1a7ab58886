package org.calmworkbench.backend.sampling;

/** {@code ln Gamma(x)} for x > 0: Lanczos (g = 7, 9 terms), about 1e-15 relative error. */
final class LogGamma {
  private static final double G = 7;
  private static final double[] COEFFICIENTS = {
    0.99999999999980993,
    676.5203681218851,
    -1259.1392167224028,
    771.32342877765313,
    -176.61502916214059,
    12.507343278686905,
    -0.13857109526572012,
    9.9843695780195716e-6,
    1.5056327351493116e-7
  };
  private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

  private LogGamma() {}

  static double of(double x) {
    if (!(x > 0)) {
      throw new IllegalArgumentException("log-gamma needs x > 0, got " + x);
    }
    if (x < 0.5) { // reflection keeps the series in its accurate range
      return Math.log(Math.PI / Math.sin(Math.PI * x)) - of(1 - x);
    }
    double z = x - 1;
    double series = COEFFICIENTS[0];
    for (int i = 1; i < COEFFICIENTS.length; i++) {
      series += COEFFICIENTS[i] / (z + i);
    }
    double t = z + G + 0.5;
    return HALF_LOG_TWO_PI + (z + 0.5) * Math.log(t) - t + Math.log(series);
  }
}
