package org.calmworkbench.backend.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.io.Safetensors;
import org.calmworkbench.backend.io.Tensor;
import org.calmworkbench.backend.model.BackboneConfig;
import org.calmworkbench.backend.model.CalmConfig;
import org.calmworkbench.backend.model.CalmModel;
import org.calmworkbench.backend.model.GenerativeHead;
import org.calmworkbench.backend.model.HeadConfig;
import org.calmworkbench.backend.model.HeadType;
import org.calmworkbench.backend.model.InputMode;
import org.calmworkbench.backend.model.ModelType;
import org.calmworkbench.backend.model.Weights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** config.json and model.safetensors of each head: written, read back, bit for bit. */
class HeadCheckpointTest {
  static final HeadConfig.Energy ENERGY = new HeadConfig.Energy(8, 4, 1.0, 8);
  static final CalmConfig TINY = new CalmConfig(new BackboneConfig(32, 16, 32, 1, 2, 1e-6, 10000.0), 4, 2, 2, ENERGY);

  static HeadConfig config(HeadType type) {
    return switch (type) {
      case ENERGY -> ENERGY;
      case FLOW -> HeadConfig.defaults(type).with(Map.<String, Number>of("flow_steps", 3, "flow_solver", HeadConfig.EULER,
          "head_samples", 2));
      case DIFFUSION -> HeadConfig.defaults(type).with(Map.<String, Number>of("diffusion_steps", 5, "diffusion_train_steps", 50,
          "diffusion_eta", 0.5));
    };
  }

  /** Every parameter set to random values (so the zero-initialised layers are not trivially equal). */
  static void randomize(CalmModel model, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    for (Parameter p : model.namedParameters().values()) {
      float[] v = new float[(int) p.getShape().size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (r.nextGaussian() * 0.3);
      }
      p.getArray().set(v);
    }
  }

  void roundTrip(HeadType type, Path dir) throws Exception {
    HeadConfig head = config(type);
    try (NDManager params = NDManager.newBaseManager()) {
      Engine.getEngine("PyTorch").setRandomSeed(1);
      CalmConfig config = TINY.withHead(head);
      CalmModel saved = new CalmModel(config, InputMode.DISCRETE);
      saved.initializeParameters(params);
      randomize(saved, 7);
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("config.json"), CalmTrainer.configJson(config, InputMode.DISCRETE).toString());
      Safetensors.write(dir.resolve("model.safetensors"), Weights.export(saved), Map.of());

      JsonObject json = JsonParser.parseString(Files.readString(dir.resolve("config.json"))).getAsJsonObject();
      assertEquals(ModelType.calm(type).key(), json.get("model_type").getAsString());
      for (String k : HeadConfig.ownKeys(type)) {
        assertTrue(json.has(k), "config.json records " + k);
      }
      for (HeadType other : HeadType.values()) {
        if (other != type) {
          HeadConfig.ownKeys(other).stream().filter(k -> !HeadConfig.ownKeys(type).contains(k))
              .forEach(k -> assertFalse(json.has(k), "config.json of a " + type.key() + " head has " + k));
        }
      }
      CalmConfig read = CalmConfig.read(dir.resolve("config.json"));
      assertEquals(head, read.head());
      assertEquals(config, read);

      CalmModel loaded = new CalmModel(read, InputMode.DISCRETE);
      loaded.initializeParameters(params);
      Weights.load(loaded, Safetensors.read(dir.resolve("model.safetensors")));
      Map<String, Tensor> a = Weights.export(saved);
      Map<String, Tensor> b = Weights.export(loaded);
      assertEquals(a.keySet(), b.keySet());
      a.forEach((name, t) -> assertArrayEquals(bits(t.data()), bits(b.get(name).data()), name));

      // Same hidden states and noise: the same latents from both, bit for bit.
      try (NDManager m = params.newSubManager()) {
        GenerativeHead h1 = saved.head();
        GenerativeHead h2 = loaded.head();
        assertEquals(type, h2.type());
        NDArray hidden = m.randomNormal(new Shape(2, 3, TINY.hiddenSize()));
        NDArray noise = m.create(h1.hostNoise(new SplittableRandom(3), 5 * 6), new Shape(5, 2, 3, h1.noiseSize()));
        NDArray z1 = h1.generate(hidden, noise);
        NDArray z2 = h2.generate(hidden, noise);
        assertArrayEquals(new long[] {5, 2, 3, TINY.latentSize()}, z1.getShape().getShape());
        assertArrayEquals(bits(z1.toFloatArray()), bits(z2.toFloatArray()));
        assertTrue(z1.get(0).sub(z1.get(1)).abs().max().getFloat() > 1e-4f, "different noise, different latents");
      }
    }
  }

  static int[] bits(float[] f) {
    int[] out = new int[f.length];
    for (int i = 0; i < f.length; i++) {
      out[i] = Float.floatToRawIntBits(f[i]);
    }
    return out;
  }

  @Test
  void energyHeadRoundTrips(@TempDir Path tmp) throws Exception {
    roundTrip(HeadType.ENERGY, tmp.resolve("energy"));
  }

  @Test
  void flowHeadRoundTrips(@TempDir Path tmp) throws Exception {
    roundTrip(HeadType.FLOW, tmp.resolve("flow"));
  }

  @Test
  void diffusionHeadRoundTrips(@TempDir Path tmp) throws Exception {
    roundTrip(HeadType.DIFFUSION, tmp.resolve("diffusion"));
  }

  @Test
  void badHeadValuesAreNamed() {
    JsonObject flow = CalmTrainer.configJson(TINY.withHead(HeadConfig.defaults(HeadType.FLOW)), InputMode.DISCRETE);
    assertEquals("midpoint", flow.get("flow_solver").getAsString());
    flow.addProperty("flow_solver", "rk4");
    CalmException e = assertThrows(CalmException.class, () -> CalmConfig.read(flow, "x/config.json"));
    assertTrue(e.getMessage().contains("x/config.json") && e.getMessage().contains("flow_solver"), e.getMessage());
    flow.addProperty("flow_solver", 1);
    flow.addProperty("flow_steps", 0);
    e = assertThrows(CalmException.class, () -> CalmConfig.read(flow, "x/config.json"));
    assertTrue(e.getMessage().contains("flow_steps"), e.getMessage());

    JsonObject bad = CalmTrainer.configJson(TINY, InputMode.DISCRETE);
    bad.addProperty("head", 3);
    e = assertThrows(CalmException.class, () -> CalmConfig.read(bad, "y/config.json"));
    assertTrue(e.getMessage().contains("y/config.json") && e.getMessage().contains("head"), e.getMessage());
  }

  @Test
  void energyModelsThrowAClearErrorWhenAskedForAnotherHeadAndViceVersa() {
    CalmModel flow = new CalmModel(TINY.withHead(HeadConfig.defaults(HeadType.FLOW)), InputMode.DISCRETE);
    CalmException e = assertThrows(CalmException.class, flow::energyHead);
    assertTrue(e.getMessage().contains("flow head"), e.getMessage());
    assertTrue(flow.namedParameters().keySet().stream().allMatch(n -> !n.startsWith("mlp_generator.")
        || n.startsWith("mlp_generator.net.")), "flow tensors live under mlp_generator.net.");
    CalmModel energy = new CalmModel(TINY, InputMode.DISCRETE);
    assertEquals(HeadType.ENERGY, energy.head().type());
    assertTrue(energy.namedParameters().containsKey("mlp_generator.final_layer.linears.2.weight"));
  }
}
