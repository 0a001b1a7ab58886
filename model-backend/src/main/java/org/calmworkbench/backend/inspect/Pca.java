package org.calmworkbench.backend.inspect;

import java.util.Arrays;
import org.calmworkbench.backend.CalmException;

/**
 * Principal component analysis of a small set of vectors, in plain Java: the covariance matrix,
 * its eigenvectors by the cyclic Jacobi method, and the leading axes.
 *
 * <p>Deterministic: the same points give the same axes on every machine. An eigenvector's sign is
 * arbitrary, so each axis is flipped to make its largest-magnitude component positive (the first
 * such component on a tie); axes are ordered by variance, largest first.
 */
public final class Pca {
  private final double[] center;
  private final double[][] axes; // [components][D], unit length
  private final double[] variances; // along each axis
  private final double totalVariance;

  private Pca(double[] center, double[][] axes, double[] variances, double totalVariance) {
    this.center = center;
    this.axes = axes;
    this.variances = variances;
    this.totalVariance = totalVariance;
  }

  /**
   * The first {@code components} principal axes of {@code points} (each of the same dimension D).
   *
   * @throws CalmException with no points, ragged points, or components outside [1, D]
   */
  public static Pca fit(float[][] points, int components) {
    if (points.length == 0) {
      throw new CalmException("PCA needs at least one point");
    }
    int d = points[0].length;
    if (components < 1 || components > d) {
      throw new CalmException("PCA of " + d + "-dimensional points cannot have " + components + " components");
    }
    int n = points.length;
    double[] mean = new double[d];
    for (float[] p : points) {
      if (p.length != d) {
        throw new CalmException("PCA points differ in dimension: " + p.length + " and " + d);
      }
      for (int j = 0; j < d; j++) {
        mean[j] += p[j];
      }
    }
    for (int j = 0; j < d; j++) {
      mean[j] /= n;
    }
    double[][] cov = new double[d][d];
    double[] x = new double[d];
    for (float[] p : points) {
      for (int j = 0; j < d; j++) {
        x[j] = p[j] - mean[j];
      }
      for (int a = 0; a < d; a++) {
        for (int b = a; b < d; b++) {
          cov[a][b] += x[a] * x[b];
        }
      }
    }
    double total = 0;
    for (int a = 0; a < d; a++) {
      for (int b = a; b < d; b++) {
        cov[a][b] /= n;
        cov[b][a] = cov[a][b];
      }
      total += cov[a][a];
    }
    double[][] vectors = new double[d][d]; // columns are eigenvectors
    double[] values = jacobi(cov, vectors);
    Integer[] order = new Integer[d];
    for (int i = 0; i < d; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> values[b] != values[a] ? Double.compare(values[b], values[a]) : Integer.compare(a, b));
    double[][] axes = new double[components][d];
    double[] vars = new double[components];
    for (int c = 0; c < components; c++) {
      int col = order[c];
      for (int j = 0; j < d; j++) {
        axes[c][j] = vectors[j][col];
      }
      orient(axes[c]);
      vars[c] = Math.max(0, values[col]);
    }
    return new Pca(mean, axes, vars, total);
  }

  /** The coordinates of {@code point} on the axes, relative to the center of the fitted points. */
  public double[] project(float[] point) {
    if (point.length != center.length) {
      throw new CalmException("cannot project a " + point.length + "-dimensional point onto " + center.length
          + "-dimensional axes");
    }
    double[] out = new double[axes.length];
    for (int c = 0; c < axes.length; c++) {
      double s = 0;
      for (int j = 0; j < center.length; j++) {
        s += (point[j] - center[j]) * axes[c][j];
      }
      out[c] = s;
    }
    return out;
  }

  /** Mean of the fitted points. */
  public double[] center() {
    return center.clone();
  }

  /** Principal axis {@code c} (unit length, oriented as the class describes). */
  public double[] axis(int c) {
    return axes[c].clone();
  }

  public int components() {
    return axes.length;
  }

  /** Variance of the fitted points along axis {@code c}. */
  public double variance(int c) {
    return variances[c];
  }

  /** Share of the points' total variance along axis {@code c}, in [0, 1] (0 when all points coincide). */
  public double explained(int c) {
    return totalVariance <= 0 ? 0 : variances[c] / totalVariance;
  }

  /** Flips {@code v} so its largest-magnitude component (the first, on a tie) is positive. */
  static void orient(double[] v) {
    int best = 0;
    for (int j = 1; j < v.length; j++) {
      if (Math.abs(v[j]) > Math.abs(v[best]) + 1e-12) {
        best = j;
      }
    }
    if (v[best] < 0) {
      for (int j = 0; j < v.length; j++) {
        v[j] = -v[j];
      }
    }
  }

  /**
   * Eigenvalues of the symmetric matrix {@code a} (destroyed) by cyclic Jacobi rotations; the
   * eigenvectors go into the columns of {@code v}. Converges quadratically; D up to a few hundred.
   */
  static double[] jacobi(double[][] a, double[][] v) {
    int n = a.length;
    for (int i = 0; i < n; i++) {
      Arrays.fill(v[i], 0);
      v[i][i] = 1;
    }
    double scale = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        scale += a[i][j] * a[i][j];
      }
    }
    double tolerance = 1e-24 * Math.max(scale, Double.MIN_NORMAL);
    for (int sweep = 0; sweep < 100; sweep++) {
      double off = 0;
      for (int p = 0; p < n; p++) {
        for (int q = p + 1; q < n; q++) {
          off += a[p][q] * a[p][q];
        }
      }
      if (off <= tolerance) {
        break;
      }
      for (int p = 0; p < n; p++) {
        for (int q = p + 1; q < n; q++) {
          if (a[p][q] == 0) {
            continue;
          }
          double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
          double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
          if (theta == 0) {
            t = 1;
          }
          double c = 1 / Math.sqrt(t * t + 1);
          double s = t * c;
          for (int k = 0; k < n; k++) { // A <- A J (columns p, q)
            double akp = a[k][p];
            double akq = a[k][q];
            a[k][p] = c * akp - s * akq;
            a[k][q] = s * akp + c * akq;
          }
          for (int k = 0; k < n; k++) { // A <- J^T A (rows p, q)
            double apk = a[p][k];
            double aqk = a[q][k];
            a[p][k] = c * apk - s * aqk;
            a[q][k] = s * apk + c * aqk;
          }
          for (int k = 0; k < n; k++) {
            double vkp = v[k][p];
            double vkq = v[k][q];
            v[k][p] = c * vkp - s * vkq;
            v[k][q] = s * vkp + c * vkq;
          }
        }
      }
    }
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      values[i] = a[i][i];
    }
    return values;
  }
}
