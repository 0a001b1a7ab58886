package org.calmworkbench.backend.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.SharedFixtures;
import org.calmworkbench.backend.io.JsonArrays;
import org.calmworkbench.backend.io.Tensor;
import org.calmworkbench.backend.train.CalmCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code inspect forward} on a CALM checkpoint built from ../shared/reference/energy. */
class ForwardInspectorEnergyTest {

  /** reference/energy as a checkpoint folder: its config and weights plus reference/autoencoder (K=4, L=8). */
  static Path referenceCheckpoint(Path tmp) throws Exception {
    Path energy = SharedFixtures.reference("energy");
    Path ae = SharedFixtures.reference("autoencoder");
    Path dir = tmp.resolve("energy");
    Files.createDirectories(dir.resolve("autoencoder"));
    for (String f : new String[] {"config.json", "model.safetensors"}) {
      Files.copy(energy.resolve(f), dir.resolve(f));
      Files.copy(ae.resolve(f), dir.resolve("autoencoder").resolve(f));
    }
    return dir;
  }

  static float maxError(JsonObject expected, JsonObject actual, String key) {
    Tensor want = JsonArrays.read(key, expected.get(key), "expected.json");
    Tensor got = JsonArrays.read(key, actual.get(key), "output");
    assertEquals(java.util.Arrays.toString(want.shape()), java.util.Arrays.toString(got.shape()), key);
    float max = 0;
    for (int i = 0; i < want.data().length; i++) {
      max = Math.max(max, Math.abs(want.data()[i] - got.data()[i]));
    }
    return max;
  }

  @Test
  void reproducesTheReferenceEnergyModel(@TempDir Path tmp) throws Exception {
    Path dir = referenceCheckpoint(tmp);
    Path expectedFile = SharedFixtures.reference("energy").resolve("expected.json");
    JsonObject expected = ForwardInspector.readInput(expectedFile);
    try (CalmCheckpoint ck = CalmCheckpoint.load(dir)) {
      JsonObject out = ForwardInspector.energy(ck, expected, expectedFile.toString());
      for (String key : new String[] {"patch_embeddings", "hidden_states", "generator_output"}) {
        float err = maxError(expected, out, key);
        System.out.printf("inspect forward %s max abs error %.3g%n", key, err);
        assertTrue(err < 1e-4, key + " max abs error " + err);
      }
    }
  }

  @Test
  void withoutNoiseThereIsNoGeneratorOutputAndBadNoiseIsNamed(@TempDir Path tmp) throws Exception {
    Path dir = referenceCheckpoint(tmp);
    JsonObject expected = ForwardInspector.readInput(SharedFixtures.reference("energy").resolve("expected.json"));
    JsonObject input = new JsonObject();
    input.add("input_ids", expected.get("input_ids"));
    try (CalmCheckpoint ck = CalmCheckpoint.load(dir)) {
      JsonObject out = ForwardInspector.energy(ck, input, "in.json");
      assertTrue(out.has("hidden_states"));
      assertFalse(out.has("generator_output"));
      input.add("generator_noise", expected.get("generator_output")); // [2, 5, 8]: wrong last size
      CalmException e = assertThrows(CalmException.class, () -> ForwardInspector.energy(ck, input, "in.json"));
      assertTrue(e.getMessage().contains("in.json") && e.getMessage().contains("generator_noise"), e.getMessage());
    }
  }
}
