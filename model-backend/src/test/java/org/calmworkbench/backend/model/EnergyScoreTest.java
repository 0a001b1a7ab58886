package org.calmworkbench.backend.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonObject;
import org.calmworkbench.backend.SharedFixtures;
import org.calmworkbench.backend.io.JsonArrays;
import org.calmworkbench.backend.io.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The energy score against ../shared/reference/metrics.json, and its gradient. */
class EnergyScoreTest {
  static final float TOL = 1e-4f;

  static NDArray array(NDManager m, JsonObject json, String key) {
    Tensor t = JsonArrays.read(key, json.get(key), "metrics.json");
    long[] shape = new long[t.shape().length];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = t.shape()[i];
    }
    return m.create(t.data(), new Shape(shape));
  }

  @ParameterizedTest(name = "beta = {0}")
  @CsvSource({"1.0, score_beta_1", "1.5, score_beta_1_5"})
  void scoreMatchesReference(double beta, String key) {
    JsonObject json = SharedFixtures.readJson(SharedFixtures.sharedDir().resolve("reference").resolve("metrics.json"))
        .getAsJsonObject("energy_score");
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = array(m, json, "x"); // [8, 3, 5]
      NDArray y = array(m, json, "y"); // [100, 3, 5]
      NDArray score = EnergyScore.score(x, y, beta);
      assertArrayEquals(new long[] {3}, score.getShape().getShape());
      float[] want = JsonArrays.read(key, json.get(key), "metrics.json").data();
      float[] got = score.toFloatArray();
      assertArrayEquals(want, got, TOL, key);
      float max = 0;
      for (int i = 0; i < got.length; i++) {
        max = Math.max(max, Math.abs(got[i] - want[i]));
      }
      System.out.printf("%s max abs error %.3g%n", key, max);
      float meanWant = (want[0] + want[1] + want[2]) / 3;
      assertEquals(-meanWant, EnergyScore.loss(x, y, beta).getFloat(), TOL);
    }
  }

  @Test
  void batchAxesAreKept() {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(7);
      NDArray x = m.randomNormal(new Shape(4, 2, 3, 5));
      NDArray y = m.randomNormal(new Shape(6, 2, 3, 5));
      NDArray score = EnergyScore.score(x, y, 1.0);
      assertArrayEquals(new long[] {2, 3}, score.getShape().getShape());
      NDArray flat = EnergyScore.score(x.reshape(4, 6, 5), y.reshape(6, 6, 5), 1.0);
      assertArrayEquals(flat.toFloatArray(), score.toFloatArray(), 1e-6f);
    }
  }

  @ParameterizedTest(name = "beta = {0}")
  @CsvSource({"1.0", "1.5"})
  void gradientIsFiniteWhenSamplesCoincide(double beta) {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(11);
      NDArray base = m.randomNormal(new Shape(3, 2, 4)); // [3, B=2, L=4]
      // Samples 0 and 1 identical, and one model sample equal to a target sample.
      NDArray x = base.get("0:1").concat(base, 0); // [4, 2, 4]: x0 == x1
      NDArray y = base.get("2:3").concat(m.randomNormal(new Shape(2, 2, 4)), 0); // y0 == x3
      x.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray loss = EnergyScore.loss(x, y, beta);
        assertTrue(Float.isFinite(loss.getFloat()));
        gc.backward(loss);
      }
      float[] grad = x.getGradient().toFloatArray();
      float norm = 0;
      for (float g : grad) {
        assertTrue(Float.isFinite(g), "gradient must be finite, got " + g);
        norm += g * g;
      }
      assertTrue(norm > 0, "the loss must still move the samples");
    }
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(5);
      NDArray x = m.randomNormal(new Shape(3, 1, 2));
      NDArray y = m.randomNormal(new Shape(4, 1, 2));
      x.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(EnergyScore.loss(x, y, 1.5));
      }
      float[] analytic = x.getGradient().toFloatArray();
      float[] base = x.toFloatArray();
      double h = 1e-2;
      for (int i = 0; i < base.length; i++) {
        float[] plus = base.clone();
        float[] minus = base.clone();
        plus[i] += (float) h;
        minus[i] -= (float) h;
        double fp = EnergyScore.loss(m.create(plus, x.getShape()), y, 1.5).getFloat();
        double fm = EnergyScore.loss(m.create(minus, x.getShape()), y, 1.5).getFloat();
        assertEquals((fp - fm) / (2 * h), analytic[i], 2e-3, "d loss / d x[" + i + "]");
      }
    }
  }
}
