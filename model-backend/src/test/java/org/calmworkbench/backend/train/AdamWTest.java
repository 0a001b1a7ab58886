package org.calmworkbench.backend.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.initializer.Initializer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The optimizer against torch.optim.AdamW's update rule, computed by hand in double precision. */
class AdamWTest {
  static final double LR = 0.01;
  static final double B1 = 0.9;
  static final double B2 = 0.95;
  static final double EPS = 1e-8;
  static final double WD = 0.1;

  static Parameter param(NDManager m, String name, float[] values, long... shape) {
    Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).optShape(new Shape(shape))
        .optInitializer(Initializer.ZEROS).build();
    p.initialize(m, DataType.FLOAT32);
    p.getArray().set(values);
    return p;
  }

  /** loss = sum(c * w) so the gradient is exactly c. */
  static void backward(NDManager sm, Map<String, Parameter> params, Map<String, float[]> coeffs) {
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray loss = null;
      for (Map.Entry<String, Parameter> e : params.entrySet()) {
        float[] c = coeffs.get(e.getKey());
        NDArray term = sm.create(c, e.getValue().getArray().getShape()).mul(e.getValue().getArray()).sum();
        loss = loss == null ? term : loss.add(term);
      }
      gc.backward(loss);
    }
  }

  @Test
  void matchesTorchAdamWWithDecayOnMatricesAndGlobalNormClipping() {
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, Parameter> params = new LinkedHashMap<>();
      float[] w0 = {0.5f, -1.0f, 2.0f, 0.25f};
      float[] b0 = {0.1f, -0.2f};
      params.put("w", param(m, "w", w0, 2, 2)); // a matrix: decayed
      params.put("b", param(m, "b", b0, 2)); // a vector: not decayed
      Map<String, float[]> grads = Map.of("w", new float[] {3f, -4f, 0f, 12f}, "b", new float[] {1f, 2f});
      double clip = 1.0;
      AdamW opt = new AdamW(params, m, B1, B2, EPS, WD, clip);

      // Reference state in double precision.
      double[][] w = {toDouble(w0), toDouble(b0)};
      double[][] mom = {new double[4], new double[2]};
      double[][] vel = {new double[4], new double[2]};
      double[][] g = {toDouble(grads.get("w")), toDouble(grads.get("b"))};
      double norm = 0;
      for (double[] gi : g) {
        for (double x : gi) {
          norm += x * x;
        }
      }
      norm = Math.sqrt(norm); // 13.19...
      double scale = clip / (norm + 1e-6);
      for (int t = 1; t <= 3; t++) {
        try (NDManager sm = m.newSubManager()) {
          backward(sm, params, grads);
          double reported = opt.update(sm, LR);
          assertEquals(norm, reported, 1e-4, "global gradient norm before clipping");
        }
        for (int i = 0; i < 2; i++) {
          double wd = i == 0 ? WD : 0;
          for (int j = 0; j < w[i].length; j++) {
            double gj = g[i][j] * scale;
            w[i][j] *= 1 - LR * wd; // decoupled weight decay
            mom[i][j] = B1 * mom[i][j] + (1 - B1) * gj;
            vel[i][j] = B2 * vel[i][j] + (1 - B2) * gj * gj;
            double mHat = mom[i][j] / (1 - Math.pow(B1, t));
            double vHat = vel[i][j] / (1 - Math.pow(B2, t));
            w[i][j] -= LR * mHat / (Math.sqrt(vHat) + EPS);
          }
        }
        assertArrayEquals(toFloat(w[0]), params.get("w").getArray().toFloatArray(), 1e-6f, "w after step " + t);
        assertArrayEquals(toFloat(w[1]), params.get("b").getArray().toFloatArray(), 1e-6f, "b after step " + t);
      }
      assertEquals(3, opt.step());
    }
  }

  static double[] toDouble(float[] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i];
    }
    return d;
  }

  static float[] toFloat(double[] a) {
    float[] f = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      f[i] = (float) a[i];
    }
    return f;
  }
}
