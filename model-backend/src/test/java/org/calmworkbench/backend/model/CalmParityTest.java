package org.calmworkbench.backend.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import org.calmworkbench.backend.SharedFixtures;
import org.calmworkbench.backend.io.JsonArrays;
import org.calmworkbench.backend.io.Safetensors;
import org.calmworkbench.backend.io.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Java CALM language model against ../shared/reference/energy (the paper's equations). */
class CalmParityTest {
  static final float TOL = 1e-4f;
  static NDManager manager;
  static CalmModel model;
  static JsonObject expected;

  @BeforeAll
  static void load() {
    Path dir = SharedFixtures.reference("energy");
    manager = NDManager.newBaseManager();
    model = new CalmModel(CalmConfig.read(dir.resolve("config.json")));
    model.initializeParameters(manager);
    Weights.load(model, Safetensors.read(dir.resolve("model.safetensors")));
    expected = SharedFixtures.readJson(dir.resolve("expected.json"));
  }

  @AfterAll
  static void close() {
    if (manager != null) {
      manager.close();
    }
  }

  static NDArray array(NDManager m, String key) {
    Tensor t = JsonArrays.read(key, expected.get(key), "expected.json");
    long[] shape = new long[t.shape().length];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = t.shape()[i];
    }
    return m.create(t.data(), new Shape(shape));
  }

  /** Asserts closeness element-wise and returns the largest absolute error (for the report). */
  static float assertClose(String key, NDArray actual) {
    Tensor want = JsonArrays.read(key, expected.get(key), "expected.json");
    float[] got = actual.toFloatArray();
    assertArrayEquals(want.data(), got, TOL, key);
    float max = 0;
    for (int i = 0; i < got.length; i++) {
      max = Math.max(max, Math.abs(got[i] - want.data()[i]));
    }
    System.out.printf("%s max abs error %.3g%n", key, max);
    return max;
  }

  @Test
  void configReadsOfficialNames() {
    CalmConfig c = model.config();
    assertEquals(32, c.hiddenSize());
    assertEquals(4, c.backbone().numAttentionHeads());
    assertEquals(8, c.backbone().headSize());
    assertEquals(4, c.patchSize());
    assertEquals(16, ((HeadConfig.Energy) c.head()).noiseSize());
    assertEquals(10000.0, c.backbone().ropeTheta());
    assertEquals("calm_energy", c.toJson().get("model_type").getAsString());
    assertEquals(c, CalmConfig.fromMap(c.toMap(), HeadType.ENERGY, "round trip"));
  }

  @Test
  void parameterNamesAreTheOfficialStateDict() {
    Map<String, ?> names = model.namedParameters();
    assertTrue(names.containsKey("transformer.layers.1.self_attn.o_proj.weight"));
    assertTrue(names.containsKey("embed_proj.3.bias"));
    assertTrue(names.containsKey("mlp_generator.mlp_blocks.1.linears.4.weight"));
    assertTrue(names.containsKey("mlp_generator.final_layer.linears.2.bias"));
    // Weights.load already required exactly the reference file's names and shapes.
  }

  @Test
  void patchEmbeddingsMatchReference() {
    try (NDManager m = manager.newSubManager()) {
      NDArray ids = array(m, "input_ids").toType(DataType.INT64, false);
      NDArray out = model.patchEmbeddings(ids);
      assertArrayEquals(new long[] {2, 5, 32}, out.getShape().getShape());
      assertClose("patch_embeddings", out);
    }
  }

  @Test
  void hiddenStatesMatchReference() {
    try (NDManager m = manager.newSubManager()) {
      NDArray ids = array(m, "input_ids").toType(DataType.INT64, false);
      NDArray out = model.hidden(ids);
      assertArrayEquals(new long[] {2, 5, 32}, out.getShape().getShape());
      assertClose("hidden_states", out);
    }
  }

  @Test
  void backboneAloneMatchesReferenceFromPatchEmbeddings() {
    try (NDManager m = manager.newSubManager()) {
      assertClose("hidden_states", model.transformer().forward(array(m, "patch_embeddings")));
    }
  }

  @Test
  void generatorOutputMatchesReferenceForGivenNoise() {
    try (NDManager m = manager.newSubManager()) {
      NDArray out = model.energyHead().forward(array(m, "hidden_states"), array(m, "generator_noise"));
      assertArrayEquals(new long[] {2, 5, 8}, out.getShape().getShape());
      assertClose("generator_output", out);
    }
  }

  @Test
  void generatorBroadcastsTheConditionOverSampleAxis() {
    try (NDManager m = manager.newSubManager()) {
      NDArray hidden = array(m, "hidden_states"); // [2, 5, 32]
      NDArray noise = array(m, "generator_noise"); // [2, 5, 16]
      NDArray stacked = noise.expandDims(0).repeat(0, 3); // [3, 2, 5, 16]
      NDArray out = model.energyHead().forward(hidden, stacked);
      assertArrayEquals(new long[] {3, 2, 5, 8}, out.getShape().getShape());
      for (int s = 0; s < 3; s++) {
        assertClose("generator_output", out.get(s));
      }
    }
  }

  @Test
  void predictionHiddenDropsTheLastChunk() {
    try (NDManager m = manager.newSubManager()) {
      NDArray ids = array(m, "input_ids").toType(DataType.INT64, false);
      NDArray pred = model.predictionHidden(ids); // causal: rows equal the first P-1 of the full pass
      assertArrayEquals(new long[] {2, 4, 32}, pred.getShape().getShape());
      assertArrayEquals(model.hidden(ids).get(":, :4").toFloatArray(), pred.toFloatArray(), 1e-5f);
    }
  }

  @Test
  void freshHeadIsZeroInitialisedAndSamplesHaveTheRequestedShape() {
    try (NDManager m = manager.newSubManager()) {
      CalmModel fresh = new CalmModel(model.config());
      fresh.initializeParameters(m);
      NDArray w = fresh.namedParameters().get("mlp_generator.final_layer.linears.2.weight").getArray();
      assertEquals(0f, w.abs().max().getFloat());
      assertTrue(fresh.namedParameters().get("mlp_generator.final_layer.linears.0.weight").getArray()
          .abs().max().getFloat() > 0f);
      NDArray samples = model.sampleLatents(array(m, "hidden_states"), 6);
      assertArrayEquals(new long[] {6, 2, 5, 8}, samples.getShape().getShape());
      // Different noise draws give different latents (the head is a sampler, not a regressor).
      assertTrue(samples.get(0).sub(samples.get(1)).abs().max().getFloat() > 1e-4f);
      fresh.namedParameters().values().forEach(p -> p.getArray().close());
    }
  }

  @Test
  void energyLossReachesEveryParameterWithFiniteGradients() {
    Path dir = SharedFixtures.reference("energy");
    try (NDManager params = NDManager.newBaseManager()) {
      CalmModel trained = new CalmModel(model.config());
      trained.initializeParameters(params);
      Weights.load(trained, Safetensors.read(dir.resolve("model.safetensors")));
      try (NDManager m = params.newSubManager();
          GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        m.getEngine().setRandomSeed(3);
        NDArray ids = array(m, "input_ids").toType(DataType.INT64, false); // [2, 20]
        NDArray hidden = trained.predictionHidden(ids); // [2, 4, H]
        HeadConfig.Energy energy = (HeadConfig.Energy) trained.config().head();
        NDArray samples = trained.sampleLatents(hidden, energy.numSamples()); // [8, 2, 4, L]
        NDArray targets = m.randomNormal(new Shape(100, 2, 4, trained.config().latentSize()));
        NDArray loss = EnergyScore.loss(samples, targets, energy.beta());
        assertTrue(Float.isFinite(loss.getFloat()));
        gc.backward(loss);
      }
      trained.namedParameters().forEach((name, p) -> {
        float[] g = p.getArray().getGradient().toFloatArray();
        double sq = 0;
        for (float v : g) {
          assertTrue(Float.isFinite(v), name + " has a non-finite gradient");
          sq += v * v;
        }
        assertTrue(sq > 0, name + " receives no gradient");
      });
    }
  }
}
