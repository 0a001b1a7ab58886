package org.calmworkbench.backend.inspect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.calmworkbench.backend.CalmException;
import org.junit.jupiter.api.Test;

/** PCA against cases whose answer is known from how the points were made. */
class PcaTest {
  static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  static double[] unit(double... v) {
    double n = Math.sqrt(dot(v, v));
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i] / n;
    }
    return out;
  }

  /** Points c + t_i * dir (+ small noise); returns them as floats. */
  static float[][] line(double[] c, double[] dir, double[] perp, int n, double noise, long seed) {
    Random rng = new Random(seed);
    float[][] pts = new float[n][c.length];
    for (int i = 0; i < n; i++) {
      double t = rng.nextGaussian() * 3;
      double u = perp == null ? 0 : rng.nextGaussian();
      for (int j = 0; j < c.length; j++) {
        pts[i][j] = (float) (c[j] + t * dir[j] + (perp == null ? 0 : u * perp[j]) + noise * rng.nextGaussian());
      }
    }
    return pts;
  }

  @Test
  void pointsOnALineGiveItsDirectionAsTheFirstAxis() {
    double[] dir = unit(1, -2, 0.5, 3, 0, -1);
    double[] c = {5, -1, 2, 0, 7, 3};
    float[][] pts = line(c, dir, null, 200, 0, 1);
    Pca pca = Pca.fit(pts, 2);
    double[] a0 = pca.axis(0);
    assertEquals(1.0, Math.abs(dot(a0, dir)), 1e-5, "first axis is the line's direction");
    assertEquals(1.0, Math.sqrt(dot(a0, a0)), 1e-9, "unit length");
    assertEquals(1.0, pca.explained(0), 1e-6, "a line has all its variance along one axis");
    assertEquals(0.0, pca.explained(1), 1e-6);
    // The projection of each point is its signed distance along the line from the center.
    double[] center = pca.center();
    for (float[] p : pts) {
      double[] xy = pca.project(p);
      double along = 0;
      for (int j = 0; j < p.length; j++) {
        along += (p[j] - center[j]) * a0[j];
      }
      assertEquals(along, xy[0], 1e-4);
      assertEquals(0, xy[1], 1e-3);
    }
  }

  @Test
  void aPlaneWithUnequalSpreadsGivesBothAxesInOrderOfVariance() {
    double[] wide = unit(0, 1, 1, 0, 0);
    double[] narrow = unit(1, 0, 0, -1, 0.5);
    double[] narrowScaled = narrow.clone();
    for (int j = 0; j < narrowScaled.length; j++) {
      narrowScaled[j] *= 0.5; // spread 0.5 against the wide direction's 3
    }
    float[][] pts = line(new double[5], wide, narrowScaled, 2000, 0.01, 2);
    Pca pca = Pca.fit(pts, 2);
    assertEquals(1.0, Math.abs(dot(pca.axis(0), wide)), 1e-3);
    assertEquals(1.0, Math.abs(dot(pca.axis(1), narrow)), 1e-2);
    assertEquals(0.0, dot(pca.axis(0), pca.axis(1)), 1e-9, "axes are orthogonal");
    assertTrue(pca.variance(0) > pca.variance(1));
    assertTrue(pca.explained(0) + pca.explained(1) > 0.99);
  }

  @Test
  void theSignIsFixedSoTheLargestComponentIsPositive() {
    double[] dir = unit(0.2, -0.9, 0.1);
    float[][] pts = line(new double[3], dir, null, 50, 0, 3);
    double[] a0 = Pca.fit(pts, 1).axis(0);
    assertTrue(a0[1] > 0, "the largest component (-0.9 along dir) is made positive: " + java.util.Arrays.toString(a0));
    // Same points in another order: the same axis, bit for bit.
    float[][] reversed = new float[pts.length][];
    for (int i = 0; i < pts.length; i++) {
      reversed[i] = pts[pts.length - 1 - i];
    }
    assertArrayEquals(a0, Pca.fit(reversed, 1).axis(0), 1e-9);
  }

  @Test
  void jacobiDiagonalisesAKnownSymmetricMatrix() {
    // [[2, 1], [1, 2]] has eigenvalues 3 (along (1, 1)) and 1 (along (1, -1)).
    double[][] v = new double[2][2];
    double[] values = Pca.jacobi(new double[][] {{2, 1}, {1, 2}}, v);
    java.util.Arrays.sort(values);
    assertArrayEquals(new double[] {1, 3}, values, 1e-12);
  }

  @Test
  void badInputIsRefused() {
    assertThrows(CalmException.class, () -> Pca.fit(new float[0][], 2));
    assertThrows(CalmException.class, () -> Pca.fit(new float[][] {{1, 2}}, 3));
    assertThrows(CalmException.class, () -> Pca.fit(new float[][] {{1, 2}, {1}}, 1));
    assertEquals(0, Pca.fit(new float[][] {{1, 2}, {1, 2}}, 2).explained(0), "coinciding points explain nothing");
  }
}
