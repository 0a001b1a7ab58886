package org.calmworkbench.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.calmworkbench.app.cli.CliAutoencoderTest.Run;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code calm experiment run}: the --json shape on a toy grid, the human tables, and bad files. */
class CliExperimentTest {
  @TempDir static Path dir;
  static Path file;
  static Run json;

  static final String TOY = """
      {
        "name": "cli-toy",
        "corpus": "corpus.jsonl",
        "tokenizer": {"vocab_size": 300},
        "autoencoder": {"preset": "tiny", "set": {"hidden_size": 32, "intermediate_size": 64, "batch_size": 64}},
        "lm": {"preset": "tiny", "context_tokens": 16,
               "set": {"hidden_size": 32, "intermediate_size": 64, "batch_size": 4, "target_samples": 8}},
        "grid": {"patch_sizes": [4], "seeds": [5], "include_ar_baseline": true},
        "budget": {"steps": 6, "autoencoder_steps": 20},
        "evaluation": {"positions": 16, "generation_tokens": 8}
      }
      """;

  @BeforeAll
  static void runToyGrid() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int d = 0; d < 40; d++) {
      lines.add("{\"text\": \"" + CliAutoencoderTest.sentences(40 + d) + "\"}");
    }
    Files.write(dir.resolve("corpus.jsonl"), lines);
    file = dir.resolve("toy.json");
    Files.writeString(file, TOY);
    json = CliAutoencoderTest.calm("experiment", "run", file.toString(), "--out", dir.resolve("out").toString(), "--json");
  }

  @Test
  void jsonHasOneRowPerCellAndASummary() {
    assertEquals(0, json.code(), json.err());
    assertEquals(1, json.out().strip().lines().count(), "one JSON line on stdout");
    JsonObject j = json.json();
    JsonArray rows = j.getAsJsonArray("rows");
    assertEquals(2, rows.size());
    for (var e : rows) {
      JsonObject row = e.getAsJsonObject();
      for (String key : List.of("patch_size", "head", "input", "seed", "brier_lm", "train_flops", "infer_flops_per_token",
          "steps_per_100_tokens", "tokens_per_second")) {
        assertTrue(row.has(key) && !row.get(key).isJsonNull(), key + " missing from " + row);
      }
      assertEquals("ok", row.get("status").getAsString(), row.toString());
      assertEquals(5, row.get("seed").getAsInt());
      assertTrue(row.get("train_flops").getAsDouble() > 0);
    }
    JsonObject calm = rows.get(0).getAsJsonObject();
    assertEquals(4, calm.get("patch_size").getAsInt());
    assertEquals("energy", calm.get("head").getAsString());
    assertEquals(25.0, calm.get("steps_per_100_tokens").getAsDouble());
    JsonObject ar = rows.get(1).getAsJsonObject();
    assertEquals("ar", ar.get("model").getAsString());
    assertEquals(100.0, ar.get("steps_per_100_tokens").getAsDouble());
    JsonArray summary = j.getAsJsonArray("summary");
    assertEquals(2, summary.size());
    assertTrue(summary.get(0).getAsJsonObject().has("brier_lm_mean"));
    assertEquals(2, j.get("ran").getAsInt());
    assertFalse(j.get("stopped").getAsBoolean());
    assertTrue(json.err().contains("cell k4-l16-energy-discrete-s5: BrierLM"), json.err());
  }

  @Test
  void rerunSkipsFinishedCellsAndPrintsTheTables() {
    Run again = CliAutoencoderTest.calm("experiment", "run", file.toString(), "--out", dir.resolve("out").toString());
    assertEquals(0, again.code(), again.err());
    assertTrue(again.out().contains("BrierLM (mean ± std)") && again.out().contains("k4-l16-energy-discrete-s5"),
        again.out());
    assertTrue(again.out().contains("0 now, 2 before"), again.out());
  }

  @Test
  void badFileIsOneLineNamingFileAndKey() throws Exception {
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, TOY.replace("\"patch_sizes\": [4]", "\"patch_sizes\": []"));
    Run r = CliAutoencoderTest.calm("experiment", "run", bad.toString(), "--out", dir.resolve("bad-out").toString());
    assertEquals(2, r.code());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().startsWith("error: ") && r.err().contains("bad.json") && r.err().contains("grid.patch_sizes"),
        r.err());
    assertFalse(Files.exists(dir.resolve("bad-out")), "nothing is written for an invalid file");

    Run j = CliAutoencoderTest.calm("experiment", "run", bad.toString(), "--out", dir.resolve("bad-out").toString(), "--json");
    assertEquals(2, j.code());
    assertEquals(2, j.json().get("exit_code").getAsInt());
    assertTrue(j.json().get("error").getAsString().contains("grid.patch_sizes"));
  }

  @Test
  void jobsTwoRunsTheCellsInWorkerProcessesWithTheSameNumbers() {
    // The real worker command line: this JVM's java and class path, 'experiment worker'.
    Run par = CliAutoencoderTest.calm("experiment", "run", file.toString(), "--out", dir.resolve("par").toString(),
        "--jobs", "2", "--json");
    assertEquals(0, par.code(), par.err());
    assertTrue(par.err().contains("running up to 2 cell groups at once"), par.err());
    JsonArray seqRows = json.json().getAsJsonArray("rows");
    JsonArray parRows = par.json().getAsJsonArray("rows");
    assertEquals(seqRows.size(), parRows.size());
    for (int i = 0; i < seqRows.size(); i++) {
      JsonObject s = seqRows.get(i).getAsJsonObject();
      JsonObject p = parRows.get(i).getAsJsonObject();
      assertEquals("ok", p.get("status").getAsString(), p.toString());
      for (String key : List.of("cell_id", "brier_1", "brier_2", "brier_lm", "lm_train_flops", "lm_steps")) {
        assertEquals(s.get(key), p.get(key), key + " of " + s.get("cell_id"));
      }
    }
    assertTrue(Files.isRegularFile(dir.resolve("par").resolve("logs").resolve("worker-ar-s5.log")));
  }

  @Test
  void badJobsIsAUsageErrorAndAWorkerNeedsAPreparedFolder() {
    Run bad = CliAutoencoderTest.calm("experiment", "run", file.toString(), "--out", dir.resolve("j").toString(),
        "--jobs", "many");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("--jobs must be a number from 1 to 64 or auto, got many"), bad.err());
    Run worker = CliAutoencoderTest.calm("experiment", "worker", file.toString(), "--out", dir.resolve("w").toString(),
        "--cells", "ar-s5");
    assertEquals(2, worker.code());
    assertTrue(worker.err().contains("not a prepared experiment folder"), worker.err());
  }

  @Test
  void missingFileAndMissingOutAreUsageErrors() {
    Run noFile = CliAutoencoderTest.calm("experiment", "run", dir.resolve("nope.json").toString(), "--out",
        dir.resolve("x").toString());
    assertEquals(2, noFile.code());
    assertTrue(noFile.err().contains("nope.json"), noFile.err());
    Run noOut = CliAutoencoderTest.calm("experiment", "run", file.toString());
    assertEquals(2, noOut.code());
    assertTrue(noOut.err().contains("--out"), noOut.err());
  }
}
