package org.calmworkbench.backend.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.calmworkbench.backend.CalmException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The AR baseline model: shapes, official names, config round trip, and KV-cache decoding. */
class ArModelTest {
  static final float TOL = 1e-5f;
  static final ArConfig CONFIG = new ArConfig(new BackboneConfig(40, 32, 64, 2, 4, 1e-6, 10000.0));
  static NDManager manager;
  static ArModel model;

  @BeforeAll
  static void build() {
    manager = NDManager.newBaseManager();
    Engine.getInstance().setRandomSeed(7);
    model = new ArModel(CONFIG);
    model.initializeParameters(manager);
    // Spread the weights (N(0, 0.02^2) makes every logit nearly equal), so a wrong cache offset or
    // mask would move the logits far more than the tolerance.
    for (var p : model.namedParameters().values()) {
      NDArray w = p.getArray();
      w.muli(w.getManager().create(p.getShape().dimension() >= 2 ? 15f : 1f));
    }
  }

  @AfterAll
  static void close() {
    if (manager != null) {
      manager.close();
    }
  }

  static NDArray ids(NDManager m, int batch, int length) {
    m.getEngine().setRandomSeed(99 + length);
    return m.randomInteger(0, CONFIG.vocabSize(), new Shape(batch, length), DataType.INT64);
  }

  @Test
  void parametersCarryTheLlamaNamesUnderTransformerAndAnUntiedHead() {
    Map<String, int[]> shapes = Weights.expectedShapes(model);
    assertArrayEquals(new int[] {40, 32}, shapes.get("transformer.embed_tokens.weight"));
    assertArrayEquals(new int[] {32, 32}, shapes.get("transformer.layers.1.self_attn.q_proj.weight"));
    assertArrayEquals(new int[] {64, 32}, shapes.get("transformer.layers.0.mlp.gate_proj.weight"));
    assertArrayEquals(new int[] {32}, shapes.get("transformer.norm.weight"));
    assertArrayEquals(new int[] {40, 32}, shapes.get("lm_head.weight"));
    assertTrue(shapes.keySet().stream().allMatch(n -> n.startsWith("transformer.") || n.equals("lm_head.weight")),
        shapes.keySet().toString());
    long perLayer = 4L * 32 * 32 + 3L * 32 * 64 + 2 * 32;
    assertEquals(2L * 40 * 32 + 2 * perLayer + 32, model.parameterCount());
  }

  @Test
  void forwardGivesOneRowOfLogitsPerPosition() {
    try (NDManager m = manager.newSubManager()) {
      NDArray logits = model.forward(ids(m, 3, 11));
      assertArrayEquals(new long[] {3, 11, 40}, logits.getShape().getShape());
    }
  }

  @Test
  void logitsAtAPositionDoNotDependOnLaterTokens() {
    try (NDManager m = manager.newSubManager()) {
      NDArray a = ids(m, 1, 12);
      NDArray b = a.duplicate();
      b.set(new ai.djl.ndarray.index.NDIndex("0, 8:"), 0L); // change only positions 8..11
      float[] la = model.forward(a).get(":, :8").toFloatArray();
      float[] lb = model.forward(b).get(":, :8").toFloatArray();
      assertArrayEquals(la, lb, TOL);
    }
  }

  @ParameterizedTest(name = "prompt of {0} tokens, then one token per step")
  @ValueSource(ints = {1, 5})
  void stepByStepLogitsEqualTheFullForward(int prompt) {
    int length = 17;
    try (NDManager m = manager.newSubManager()) {
      NDArray ids = ids(m, 2, length);
      NDArray full = model.forward(ids); // [2, 17, V]
      try (KvCache cache = model.newCache(m)) {
        NDList pieces = new NDList(model.step(ids.get(":, :" + prompt), cache));
        for (int t = prompt; t < length; t++) {
          try (NDManager step = m.newSubManager()) { // the cache must outlive each step's manager
            NDArray token = ids.get(":, " + t + ":" + (t + 1)); // [2, 1]
            token.attach(step);
            NDArray logits = model.step(token, cache); // [2, 1, V]
            logits.attach(m);
            pieces.add(logits);
          }
          assertEquals(t + 1, cache.length());
        }
        NDArray incremental = NDArrays.concat(pieces, 1);
        assertArrayEquals(full.getShape().getShape(), incremental.getShape().getShape());
        assertArrayEquals(full.toFloatArray(), incremental.toFloatArray(), TOL);
      }
    }
  }

  @Test
  void severalTokensPerStepAreCausalInsideTheStep() {
    try (NDManager m = manager.newSubManager()) {
      NDArray ids = ids(m, 1, 10);
      NDArray full = model.forward(ids);
      try (KvCache cache = model.newCache(m)) {
        NDArray first = model.step(ids.get(":, :3"), cache);
        NDArray rest = model.step(ids.get(":, 3:"), cache);
        assertArrayEquals(full.toFloatArray(), first.concat(rest, 1).toFloatArray(), TOL);
      }
    }
  }

  @Test
  void configRoundTripsThroughJsonWithItsModelType(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("config.json");
    Files.writeString(file, CONFIG.toJson().toString());
    assertEquals("calm_ar", CONFIG.toJson().get("model_type").getAsString());
    assertEquals(CONFIG, ArConfig.read(file));
  }

  @Test
  void readingAnotherModelTypeIsRefusedByName(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("config.json");
    CalmConfig calm = new CalmConfig(CONFIG.backbone(), 8, 4, 2, new HeadConfig.Energy(16, 8, 1.0, 8));
    Files.writeString(file, calm.toJson().toString());
    CalmException e = assertThrows(CalmException.class, () -> ArConfig.read(file));
    assertTrue(e.getMessage().contains("calm_energy") && e.getMessage().contains(file.toString()), e.getMessage());
  }

  @Test
  void presetMapsWithEnergyHeadKeysGiveTheBackbonePartOnly() {
    Map<String, Number> m = new java.util.LinkedHashMap<>(CONFIG.toMap());
    m.put("noise_size", 64);
    m.put("beta", 1.0);
    assertEquals(CONFIG, ArConfig.fromMap(m, "test"));
    assertEquals(List.of("vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
        "rms_norm_eps", "rope_theta"), ArConfig.SETTINGS.stream().map(s -> s.key()).toList());
  }

  @Test
  void headsThatDoNotDivideTheWidthAreRefused() {
    CalmException e = assertThrows(CalmException.class, () -> new ArConfig(new BackboneConfig(40, 30, 64, 2, 4, 1e-6, 10000.0)));
    assertTrue(e.getMessage().contains("num_attention_heads"), e.getMessage());
  }
}
