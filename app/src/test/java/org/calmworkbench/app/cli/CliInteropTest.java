package org.calmworkbench.app.cli;

import static org.calmworkbench.app.cli.CliAutoencoderTest.assertUserError;
import static org.calmworkbench.app.cli.CliAutoencoderTest.calm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.calmworkbench.app.cli.CliAutoencoderTest.Run;
import org.calmworkbench.backend.io.AtomicFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code calm export torchrun} and {@code calm runs list} with a Trainer output folder beside workbench runs. */
class CliInteropTest {
  static final Path SAMPLE = Path.of("..", "sample-projects", "grammar-english");

  @Test
  void exportWritesTheFolderTheReadmeDescribes(@TempDir Path tmp) {
    Path out = tmp.resolve("cluster");
    Run r = calm("export", "torchrun", "--run", SAMPLE.resolve("runs/sample-calm").toString(), "--out", out.toString(),
        "--json");
    assertEquals(0, r.code(), r.err());
    JsonObject o = r.json();
    assertEquals("calm_energy", o.get("run_type").getAsString());
    assertTrue(o.get("calm_overrides").getAsString().contains("hidden_size=64"), o.toString());
    for (String f : new String[] {"autoencoder/config.json", "autoencoder/model.safetensors", "calm/config.json",
        "calm/model.safetensors", "tokenizer/tokenizer.json", "tokenizer/tokenizer_config.json",
        "tokenizer/special_tokens_map.json", "data/train.jsonl", "data/valid.json", "train_autoencoder.sh",
        "train_calm.sh", "README.md"}) {
      assertTrue(Files.isRegularFile(out.resolve(f)), f);
    }
    assertTrue(r.err().contains("note: "), "differences from the run are said: " + r.err());
  }

  @Test
  void exportIntoAFullFolderIsAUserError(@TempDir Path tmp) throws Exception {
    Files.writeString(tmp.resolve("keep.txt"), "mine");
    assertUserError(calm("export", "torchrun", "--run", SAMPLE.resolve("runs/sample-calm").toString(), "--out", tmp.toString()),
        tmp.toString(), "not empty");
    assertEquals("mine", Files.readString(tmp.resolve("keep.txt")));
  }

  @Test
  void runsListShowsATrainerOutputBesideWorkbenchRuns(@TempDir Path tmp) throws Exception {
    Path project = tmp.resolve("project");
    AtomicFiles.copyTree(SAMPLE, project, p -> false);
    Path cluster = project.resolve("runs/cluster-calm");
    Files.createDirectories(cluster.resolve("checkpoint-100"));
    Files.writeString(cluster.resolve("checkpoint-100/trainer_state.json"), """
        {"global_step": 100, "max_steps": 100, "log_history": [
          {"epoch": 0.5, "learning_rate": 0.0003, "loss": 6.25, "step": 50},
          {"epoch": 1.0, "learning_rate": 0.0003, "loss": 5.5, "step": 100},
          {"epoch": 1.0, "eval_loss": 5.75, "eval_brierLM": 0.125, "step": 100}]}
        """, StandardCharsets.UTF_8);
    Files.writeString(cluster.resolve("checkpoint-100/config.json"), "{\"model_type\": \"energy\"}");
    Run r = calm("runs", "list", "--project", project.toString(), "--curves", "--json");
    assertEquals(0, r.code(), r.err());
    JsonArray runs = r.json().getAsJsonArray("runs");
    assertEquals(4, runs.size(), runs.toString());
    JsonObject c = null;
    for (var e : runs) {
      if (e.getAsJsonObject().get("name").getAsString().equals("cluster-calm")) {
        c = e.getAsJsonObject();
      }
    }
    assertEquals("CALM", c.get("type").getAsString());
    assertEquals("hf-trainer", c.get("source").getAsString());
    assertEquals(100, c.get("steps").getAsLong());
    assertEquals(5.5, c.get("final_loss").getAsDouble());
    assertEquals(12.5, c.get("brier_lm").getAsDouble(), 1e-12);
    assertEquals(1, c.getAsJsonArray("checkpoints").size());
    assertEquals(2, c.getAsJsonArray("rows").size());
  }

  @Test
  void runsListNeedsAProjectOrARun() {
    assertUserError(calm("runs", "list"), "--project", "--run");
  }
}
