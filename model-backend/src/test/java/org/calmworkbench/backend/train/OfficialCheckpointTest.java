package org.calmworkbench.backend.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.SharedFixtures;
import org.calmworkbench.backend.inspect.ForwardInspector;
import org.calmworkbench.backend.io.JsonArrays;
import org.calmworkbench.backend.io.Safetensors;
import org.calmworkbench.backend.io.Tensor;
import org.calmworkbench.backend.model.HeadType;
import org.calmworkbench.backend.model.Weights;
import org.calmworkbench.backend.project.Project;
import org.calmworkbench.backend.project.RunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Official checkpoint folders (../shared/reference/official-format, written by PyTorch's torch.save)
 * load through the same code as the workbench's runs and reproduce the reference outputs.
 */
class OfficialCheckpointTest {
  static final float F32_TOL = 1e-4f;
  /**
   * bf16 keeps 8 bits of mantissa (weights off by up to 2^-9 relative), and the error grows through
   * the layers: bf16 outputs must lie within 2% of the output's largest magnitude of the float32
   * ones (measured: 0.8% for the autoencoder's logits). A wrongly read tensor is off by ~100%.
   */
  static final float BF16_RELATIVE_TOL = 0.02f;

  @TempDir Path tmp;

  static Path official(String name) {
    return SharedFixtures.reference("official-format").resolve(name);
  }

  static float maxAbs(JsonObject expected, String key) {
    float max = 0;
    for (float v : JsonArrays.read(key, expected.get(key), "expected.json").data()) {
      max = Math.max(max, Math.abs(v));
    }
    return max;
  }

  static float maxError(JsonObject expected, JsonObject actual, String key) {
    Tensor want = JsonArrays.read(key, expected.get(key), "expected.json");
    Tensor got = JsonArrays.read(key, actual.get(key), "output");
    assertArrayEquals(want.shape(), got.shape(), key);
    float max = 0;
    for (int i = 0; i < want.data().length; i++) {
      max = Math.max(max, Math.abs(want.data()[i] - got.data()[i]));
    }
    return max;
  }

  /** A copy of an official folder with nothing beside it (no sibling autoencoder/). */
  Path alone(String name) throws IOException {
    Path dir = tmp.resolve("alone").resolve(name);
    Files.createDirectories(dir);
    for (String f : new String[] {"config.json", "pytorch_model.bin"}) {
      Files.copy(official(name).resolve(f), dir.resolve(f));
    }
    return dir;
  }

  /** tol > 0: absolute; tol < 0: relative to the largest expected magnitude. */
  void assertAutoencoderParity(Path dir, float tol) {
    Path expectedFile = SharedFixtures.reference("autoencoder").resolve("expected.json");
    JsonObject expected = ForwardInspector.readInput(expectedFile);
    try (AutoencoderCheckpoint ck = AutoencoderCheckpoint.load(dir)) {
      JsonObject out = ForwardInspector.autoencoder(ck, expected, expectedFile.toString());
      for (String key : new String[] {"encoder_output", "decoder_logits"}) {
        float err = maxError(expected, out, key);
        float limit = tol > 0 ? tol : -tol * maxAbs(expected, key);
        assertTrue(err < limit, dir + " " + key + " max abs error " + err + ", limit " + limit);
      }
    }
  }

  void assertEnergyParity(CalmCheckpoint ck, float tol) {
    Path expectedFile = SharedFixtures.reference("energy").resolve("expected.json");
    JsonObject expected = ForwardInspector.readInput(expectedFile);
    JsonObject out = ForwardInspector.energy(ck, expected, expectedFile.toString());
    for (String key : new String[] {"patch_embeddings", "hidden_states", "generator_output"}) {
      float err = maxError(expected, out, key);
      float limit = tol > 0 ? tol : -tol * maxAbs(expected, key);
      assertTrue(err < limit, ck.dir() + " " + key + " max abs error " + err + ", limit " + limit);
    }
  }

  @Test
  void theOfficialAutoencoderReproducesTheReference() {
    assertAutoencoderParity(official("autoencoder"), F32_TOL);
  }

  /**
   * A Hugging Face Trainer output folder of the official code ({@code <run>-calm/checkpoint-N/} with
   * the Trainer's own files beside the weights) is found by {@link RunStore} as a checkpoint of its
   * project and opens like any official folder, with parity.
   */
  @Test
  void aTrainerCheckpointFolderIsListedAndOpensWithParity() throws IOException {
    Path run = tmp.resolve("project").resolve(Project.RUNS).resolve("wiki-calm");
    Path ck400 = Files.createDirectories(run.resolve("checkpoint-400"));
    for (String f : new String[] {"config.json", "pytorch_model.bin"}) {
      Files.copy(official("energy").resolve(f), ck400.resolve(f));
    }
    Files.writeString(ck400.resolve("trainer_state.json"),
        "{\"global_step\": 400, \"max_steps\": 400, \"log_history\": [{\"step\": 400, \"loss\": 1.5}]}");
    Files.writeString(ck400.resolve("optimizer.pt"), "not read"); // the Trainer's other files are left alone
    List<RunStore.Checkpoint> found = RunStore.calm(tmp.resolve("project"));
    assertEquals(1, found.size(), found.toString());
    assertEquals("wiki-calm/checkpoint-400", found.get(0).name());
    assertEquals(400, found.get(0).step());
    assertTrue(RunStore.autoencoders(tmp.resolve("project")).isEmpty());
    try (CalmCheckpoint ck = CalmCheckpoint.load(found.get(0).dir())) {
      assertEnergyParity(ck, F32_TOL); // the autoencoder from its ae_model.* tensors: nothing beside it
    }
  }

  @Test
  void theBf16AutoencoderStaysNearTheFloat32One() {
    assertAutoencoderParity(official("autoencoder-bf16"), -BF16_RELATIVE_TOL);
  }

  @Test
  void theOfficialEnergyModelReproducesTheReferenceWithItsSiblingAutoencoder() {
    try (CalmCheckpoint ck = CalmCheckpoint.load(official("energy"))) {
      assertEquals(HeadType.ENERGY, ck.headConfig().type());
      assertTrue(ck.autoencoderOrigin().endsWith("official-format/autoencoder"), ck.autoencoderOrigin());
      assertEnergyParity(ck, F32_TOL);
    }
  }

  @Test
  void withNothingBesideItTheAutoencoderComesFromTheAeModelTensors() throws IOException {
    Path dir = alone("energy");
    try (CalmCheckpoint ck = CalmCheckpoint.load(dir)) {
      assertTrue(ck.autoencoderOrigin().startsWith("ae_model.* tensors in "), ck.autoencoderOrigin());
      assertEquals(4, ck.autoencoderCheckpoint().config().patchSize());
      assertEquals(8, ck.autoencoderCheckpoint().config().latentSize());
      Map<String, Tensor> want = Safetensors.read(SharedFixtures.reference("autoencoder").resolve("model.safetensors"))
          .tensors();
      Map<String, Tensor> got = Weights.export(ck.autoencoder());
      assertEquals(want.keySet(), got.keySet());
      want.forEach((name, t) -> assertArrayEquals(t.data(), got.get(name).data(), name));
      assertEnergyParity(ck, F32_TOL);
    }
    assertAutoencoderParity(dir, F32_TOL); // the ae commands accept the CALM folder too
  }

  @Test
  void theBf16EnergyModelStaysNearTheFloat32One() throws IOException {
    try (CalmCheckpoint ck = CalmCheckpoint.load(alone("energy-bf16"))) {
      assertEnergyParity(ck, -BF16_RELATIVE_TOL);
    }
  }

  @Test
  void anAutoencoderGivenByTheUserComesFirst() throws IOException {
    Path dir = alone("energy");
    try (CalmCheckpoint ck = CalmCheckpoint.load(dir, official("autoencoder-bf16"), true)) {
      assertEquals("--autoencoder " + official("autoencoder-bf16"), ck.autoencoderOrigin());
    }
  }

  @Test
  void whenNoAutoencoderIsFoundTheErrorListsWhatWasTriedAndTheFix() throws IOException {
    Path dir = tmp.resolve("lonely");
    Files.createDirectories(dir);
    Files.copy(SharedFixtures.reference("energy").resolve("config.json"), dir.resolve("config.json"));
    Files.copy(SharedFixtures.reference("energy").resolve("model.safetensors"), dir.resolve("model.safetensors"));
    CalmException e = assertThrows(CalmException.class, () -> CalmCheckpoint.load(dir));
    String m = e.getMessage();
    assertTrue(m.contains(dir.resolve("autoencoder").toString()), m);
    assertTrue(m.contains(tmp.resolve("autoencoder").toString()), m);
    assertTrue(m.contains("ae_model.* tensors in " + dir.resolve("model.safetensors")), m);
    assertTrue(m.contains("--autoencoder DIR"), m);
    try (CalmCheckpoint ck = CalmCheckpoint.load(dir, false)) {
      assertFalse(ck.autoencoderOrigin().contains("ae_model"));
    }
  }

  @Test
  void aSiblingAutoencoderThatDoesNotFitIsPassedOver() throws IOException {
    Path dir = alone("energy");
    Path sibling = dir.resolveSibling("autoencoder");
    Files.createDirectories(sibling);
    JsonObject config = ForwardInspector.readInput(official("autoencoder").resolve("config.json"));
    config.addProperty("latent_size", 16); // the model predicts L = 8
    Files.writeString(sibling.resolve("config.json"), config.toString());
    Files.copy(official("autoencoder").resolve("pytorch_model.bin"), sibling.resolve("pytorch_model.bin"));
    try (CalmCheckpoint ck = CalmCheckpoint.load(dir)) {
      assertTrue(ck.autoencoderOrigin().startsWith("ae_model.*"), ck.autoencoderOrigin());
    }
    Path lonely = dir.resolveSibling("lonely");
    Files.createDirectories(lonely);
    Files.copy(SharedFixtures.reference("energy").resolve("config.json"), lonely.resolve("config.json"));
    Files.copy(SharedFixtures.reference("energy").resolve("model.safetensors"), lonely.resolve("model.safetensors"));
    CalmException e = assertThrows(CalmException.class, () -> CalmCheckpoint.load(lonely));
    assertTrue(e.getMessage().contains(sibling + " (does not fit: K=4, L=16"), e.getMessage());
  }

  @Test
  void aHeadStoredTwiceWithDifferentValuesIsRefused() throws IOException {
    // an official-looking file whose generative_head.* copy differs from mlp_generator.*
    Path dir = tmp.resolve("forked");
    Files.createDirectories(dir);
    Files.copy(SharedFixtures.reference("energy").resolve("config.json"), dir.resolve("config.json"));
    Map<String, Tensor> tensors = new java.util.LinkedHashMap<>(
        Safetensors.read(SharedFixtures.reference("energy").resolve("model.safetensors")).tensors());
    Tensor head = tensors.get("mlp_generator.final_layer.linears.2.bias");
    float[] changed = head.data().clone();
    changed[0] += 1;
    tensors.put("generative_head.final_layer.linears.2.bias", new Tensor("generative_head.final_layer.linears.2.bias", head.shape(), changed));
    Safetensors.write(dir.resolve("model.safetensors"), tensors, Map.of());
    CalmException e = assertThrows(CalmException.class, () -> CalmCheckpoint.load(dir, false));
    assertTrue(e.getMessage().contains("generative_head.final_layer.linears.2.bias"), e.getMessage());
  }

  @Test
  void theMaliciousFolderIsRefusedByTheAutoencoderLoader() {
    CalmException e = assertThrows(CalmException.class, () -> AutoencoderCheckpoint.load(official("malicious")));
    assertTrue(e.getMessage().contains("'posix.system'"), e.getMessage());
  }
}
