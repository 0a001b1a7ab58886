package org.calmworkbench.app.cli;

import static org.calmworkbench.app.cli.CliAutoencoderTest.calm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.calmworkbench.app.cli.CliAutoencoderTest.Run;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Official checkpoint folders (../shared/reference/official-format) through the CLI. */
class CliOfficialCheckpointTest {
  static Path reference;
  @TempDir Path tmp;

  @BeforeAll
  static void locate() {
    String dir = System.getProperty("calm.shared.dir");
    reference = dir == null ? null : Path.of(dir, "reference");
    Assumptions.assumeTrue(reference != null && Files.isDirectory(reference.resolve("official-format")),
        "skipped: ../shared/reference/official-format not found (set calm.shared.dir)");
  }

  static JsonObject read(Path file) throws Exception {
    return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
  }

  @Test
  void inspectForwardReadsAnOfficialEnergyFolderWithAGivenAutoencoder() throws Exception {
    Path expectedFile = reference.resolve("energy").resolve("expected.json");
    JsonObject expected = read(expectedFile);
    Run r = calm("inspect", "forward", "--checkpoint", reference.resolve("official-format/energy").toString(),
        "--input", expectedFile.toString(), "--autoencoder", reference.resolve("official-format/autoencoder").toString(),
        "--json");
    assertEquals(0, r.code(), r.err());
    for (String key : List.of("patch_embeddings", "hidden_states", "generator_output")) {
      double worst = CliLanguageModelTest.maxAbsDiff(expected.get(key), r.json().get(key));
      assertTrue(worst < 1e-4, key + " differs by " + worst);
    }
  }

  @Test
  void aTrainerRunsCheckpointFolderOpensAsAModel() throws Exception {
    // What the official train script leaves (HF Trainer): OUT/checkpoint-N/ with the model files and
    // a trainer_state.json holding the history so far.
    Path run = tmp.resolve("trainer-run");
    Path checkpoint = run.resolve("checkpoint-20");
    Files.createDirectories(checkpoint);
    for (String f : List.of("config.json", "pytorch_model.bin")) {
      Files.copy(reference.resolve("official-format/energy").resolve(f), checkpoint.resolve(f));
    }
    Files.writeString(checkpoint.resolve("trainer_state.json"), """
        {"global_step": 20, "max_steps": 40, "log_history": [
          {"step": 10, "loss": 9.5, "learning_rate": 0.0003}, {"step": 20, "loss": 8.25, "learning_rate": 0.0003}]}
        """);
    Path expectedFile = reference.resolve("energy").resolve("expected.json");
    JsonObject expected = read(expectedFile);
    Run r = calm("inspect", "forward", "--checkpoint", checkpoint.toString(), "--input", expectedFile.toString(),
        "--autoencoder", reference.resolve("official-format/autoencoder").toString(), "--json");
    assertEquals(0, r.code(), r.err());
    double worst = CliLanguageModelTest.maxAbsDiff(expected.get("generator_output"), r.json().get("generator_output"));
    assertTrue(worst < 1e-4, "generator_output differs by " + worst);
    Run listed = calm("runs", "list", "--run", run.toString(), "--json");
    assertEquals(0, listed.code(), listed.err());
    assertTrue(listed.out().contains("trainer-run"), listed.out());
  }

  @Test
  void theMaliciousFolderExitsTwoNamingFileAndGlobal() {
    Path malicious = reference.resolve("official-format/malicious");
    Run r = calm("inspect", "forward", "--checkpoint", malicious.toString(), "--input",
        reference.resolve("autoencoder/expected.json").toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains(malicious.resolve("pytorch_model.bin").toString()), r.err());
    assertTrue(r.err().contains("'posix.system'"), r.err());
    assertFalse(r.err().contains("Exception"), r.err());
  }

  @Test
  void convertWritesAWorkbenchCheckpointThatInspectsTheSame() throws Exception {
    Path out = tmp.resolve("converted");
    Run c = calm("convert", "--from", reference.resolve("official-format/energy").toString(), "--out", out.toString(),
        "--json");
    assertEquals(0, c.code(), c.err());
    assertEquals("calm_energy", c.json().get("model_type").getAsString());
    assertEquals("calm_energy", read(out.resolve("config.json")).get("model_type").getAsString());
    assertTrue(Files.isRegularFile(out.resolve("autoencoder/model.safetensors")));
    Path expectedFile = reference.resolve("energy").resolve("expected.json");
    Run r = calm("inspect", "forward", "--checkpoint", out.toString(), "--input", expectedFile.toString(), "--json");
    assertEquals(0, r.code(), r.err());
    double worst = CliLanguageModelTest.maxAbsDiff(read(expectedFile).get("generator_output"), r.json().get("generator_output"));
    assertTrue(worst < 1e-4, "generator_output differs by " + worst);
  }

  @Test
  void aMissingAutoencoderFolderIsAnErrorNamingIt() {
    Path missing = tmp.resolve("no-such-ae");
    Run r = calm("inspect", "forward", "--checkpoint", reference.resolve("official-format/energy").toString(),
        "--input", reference.resolve("energy/expected.json").toString(), "--autoencoder", missing.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains(missing.toString()), r.err());
  }
}
