package org.calmworkbench.backend.eval;

/** Running mean and standard error of a stream of values. */
final class Moments {
  private long n;
  private double sum;
  private double sumOfSquares;

  void add(double x) {
    n++;
    sum += x;
    sumOfSquares += x * x;
  }

  double mean() {
    return n == 0 ? Double.NaN : sum / n;
  }

  double standardError() {
    if (n < 2) {
      return Double.NaN;
    }
    double variance = Math.max(0, (sumOfSquares - sum * sum / n) / (n - 1));
    return Math.sqrt(variance / n);
  }
}
