package org.calmworkbench.visualizers;

/**
 * TensorBoard's smoothing: an exponential moving average with debiasing, so the first points are
 * not pulled towards zero. With weight w in [0, 1): {@code ema_i = w ema_(i-1) + (1 - w) y_i} and
 * the plotted value is {@code ema_i / (1 - w^n)}, n = finite values seen so far. Non-finite values
 * pass through unchanged and do not disturb the average.
 */
public final class Smoothing {
  private final double weight;
  private double ema;
  private long count;

  public Smoothing(double weight) {
    if (!(weight >= 0 && weight < 1)) {
      throw new IllegalArgumentException("smoothing weight must be in [0, 1), got " + weight);
    }
    this.weight = weight;
  }

  /** The smoothed value after {@code y}. */
  public double next(double y) {
    if (!Double.isFinite(y)) {
      return y;
    }
    ema = weight * ema + (1 - weight) * y;
    count++;
    double debias = 1 - Math.pow(weight, count);
    return debias == 0 ? y : ema / debias;
  }

  /** The smoothed copy of {@code ys}. */
  public static double[] ema(double[] ys, double weight) {
    Smoothing s = new Smoothing(weight);
    double[] out = new double[ys.length];
    for (int i = 0; i < ys.length; i++) {
      out[i] = s.next(ys[i]);
    }
    return out;
  }
}
