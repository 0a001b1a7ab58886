package org.calmworkbench.backend.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.generate.TinyCalm;
import org.calmworkbench.backend.model.InputMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading CALM language-model checkpoints, and the errors a person can act on. */
class CalmCheckpointTest {

  static void edit(Path config, String key, Number value) throws Exception {
    JsonObject o = JsonParser.parseString(Files.readString(config)).getAsJsonObject();
    o.addProperty(key, value);
    Files.writeString(config, o.toString());
  }

  @Test
  void loadsModelAutoencoderAndTokenizer() {
    try (CalmCheckpoint ck = CalmCheckpoint.load(TinyCalm.checkpoint())) {
      assertEquals(InputMode.DISCRETE, ck.inputMode());
      assertEquals(ck.autoencoder().config().patchSize(), ck.patchSize());
      assertEquals(ck.autoencoder().config().latentSize(), ck.config().latentSize());
      assertEquals("the cat", ck.tokenizer().decode(ck.tokenizer().encode("the cat")));
      assertEquals(org.calmworkbench.backend.train.LmPresets.get("tiny").lm().contextChunks(), ck.contextChunks().getAsInt(), "calm lm train records the tiny preset's context_chunks");
      assertEquals(org.calmworkbench.backend.train.LmPresets.get("tiny").lm().contextChunks() * 4, ck.maxContextTokens());
    }
  }

  @Test
  void modelTypeTellsLanguageModelsFromAutoencoders(@TempDir Path tmp) {
    assertEquals("calm_energy", Checkpoints.modelType(TinyCalm.checkpoint()).key());
    assertEquals("calm_autoencoder", Checkpoints.modelType(TinyCalm.checkpoint().resolve("autoencoder")).key());
    CalmException e = assertThrows(CalmException.class, () -> Checkpoints.modelType(tmp));
    assertTrue(e.getMessage().contains("config.json"), e.getMessage());
  }

  @Test
  void anAutoencoderFolderIsNotALanguageModel() {
    Path ae = TinyCalm.checkpoint().resolve("autoencoder");
    CalmException e = assertThrows(CalmException.class, () -> CalmCheckpoint.load(ae));
    assertTrue(e.getMessage().contains(ae.resolve("config.json").toString()) && e.getMessage().contains("calm_autoencoder"),
        e.getMessage());
  }

  @Test
  void missingWeightsAreNamed(@TempDir Path tmp) throws Exception {
    Path dir = TinyCalm.copy(tmp.resolve("lm"));
    Files.delete(dir.resolve("model.safetensors"));
    CalmException e = assertThrows(CalmException.class, () -> CalmCheckpoint.load(dir));
    assertTrue(e.getMessage().contains(dir.resolve("model.safetensors").toString()), e.getMessage());
  }

  @Test
  void missingAutoencoderIsNamed(@TempDir Path tmp) throws Exception {
    Path dir = TinyCalm.copy(tmp.resolve("lm"));
    Files.delete(dir.resolve("autoencoder").resolve("config.json"));
    CalmException e = assertThrows(CalmException.class, () -> CalmCheckpoint.load(dir));
    assertTrue(e.getMessage().contains(dir.resolve("autoencoder").resolve("config.json").toString()), e.getMessage());
  }

  @Test
  void withoutItsAutoencoderADiscreteModelLoadsForInspectionOnly(@TempDir Path tmp) throws Exception {
    Path dir = TinyCalm.copy(tmp.resolve("lm"));
    Files.delete(dir.resolve("autoencoder").resolve("config.json"));
    try (CalmCheckpoint ck = CalmCheckpoint.load(dir, false)) {
      assertEquals(4, ck.patchSize());
      CalmException e = assertThrows(CalmException.class, ck::autoencoder);
      assertTrue(e.getMessage().contains("without its frozen autoencoder"), e.getMessage());
    }
    edit(dir.resolve("config.json"), "patch_size", 4); // unchanged value; now make it read latents:
    JsonObject c = JsonParser.parseString(Files.readString(dir.resolve("config.json"))).getAsJsonObject();
    c.addProperty("input_mode", "latent");
    Files.writeString(dir.resolve("config.json"), c.toString());
    CalmException e = assertThrows(CalmException.class, () -> CalmCheckpoint.load(dir, false));
    assertTrue(e.getMessage().contains("needs its frozen autoencoder"), e.getMessage());
  }

  @Test
  void autoencoderWithAnotherPatchSizeIsRefusedNamingBothValues(@TempDir Path tmp) throws Exception {
    Path dir = TinyCalm.copy(tmp.resolve("lm"));
    edit(dir.resolve("config.json"), "patch_size", 2);
    CalmException e = assertThrows(CalmException.class, () -> CalmCheckpoint.load(dir));
    assertTrue(e.getMessage().contains("K=4") && e.getMessage().contains("K=2"), e.getMessage());
  }

  @Test
  void recordedContextChunksSetTheContextLimit(@TempDir Path tmp) throws Exception {
    Path dir = TinyCalm.copy(tmp.resolve("lm"));
    edit(dir.resolve("config.json"), "context_chunks", 16);
    try (CalmCheckpoint ck = CalmCheckpoint.load(dir)) {
      assertEquals(16, ck.contextChunks().getAsInt());
      assertEquals(64, ck.maxContextTokens());
    }
  }
}
