package org.calmworkbench.backend.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.io.AtomicFiles;
import org.calmworkbench.backend.train.MetricsLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Hugging Face Trainer output folder (test resource interop/hf-trainer-run) read as workbench curves. */
class HfTrainerRunTest {
  static Path fixture() throws URISyntaxException {
    return Path.of(HfTrainerRunTest.class.getResource("/interop/hf-trainer-run").toURI());
  }

  @Test
  void logHistoryBecomesLossAndEvaluationCurves() throws Exception {
    HfTrainerRun run = HfTrainerRun.read(fixture());
    assertEquals(400, run.globalStep());
    assertEquals(1000, run.maxSteps());
    assertEquals("energy", run.modelType());
    assertFalse(run.isAutoencoder());
    assertEquals(List.of(100L, 200L, 300L, 400L), run.rows().stream().map(MetricsLog.Row::step).toList());
    MetricsLog.Row at200 = run.rows().get(1);
    assertEquals(4.5, at200.get("loss"));
    assertEquals(3e-4, at200.get("lr"));
    assertEquals(4.75, at200.get("valid_loss"), "the evaluation of the same step joins the training log");
    assertEquals(0.2, at200.get("brier_1"));
    assertEquals(0.025, at200.get("brier_4"));
    assertEquals(100 * Math.pow(0.2 * 0.1 * 0.05 * 0.025, 0.25), at200.get("brier_lm"), 1e-9, "BrierLM on the workbench's 0..100 scale");
    assertTrue(Double.isNaN(run.rows().get(2).get("valid_loss")), "no evaluation at step 300");
    assertEquals(3.75, run.rows().get(3).get("valid_loss"));
  }

  @Test
  void checkpointFoldersAreListedByStep() throws Exception {
    HfTrainerRun run = HfTrainerRun.read(fixture());
    assertEquals(List.of(200L, 400L), run.checkpoints().stream().map(HfTrainerRun.Checkpoint::step).toList());
    assertTrue(run.stateFile().endsWith(Path.of("checkpoint-400", "trainer_state.json")), "the latest checkpoint's history");
  }

  @Test
  void theTopLevelStateWinsOnceTrainingEnded(@TempDir Path dir) throws Exception {
    AtomicFiles.copyTree(fixture(), dir.resolve("run"), p -> false);
    Files.copy(dir.resolve("run/checkpoint-200/trainer_state.json"), dir.resolve("run/trainer_state.json"));
    HfTrainerRun run = HfTrainerRun.read(dir.resolve("run"));
    assertEquals(200, run.globalStep());
    assertEquals(dir.resolve("run/trainer_state.json"), run.stateFile());
  }

  @Test
  void aWorkbenchRunIsNotATrainerOutput() {
    assertFalse(HfTrainerRun.isTrainerOutput(Path.of("..", "sample-projects", "grammar-english", "runs", "sample-calm")));
  }

  @Test
  void malformedStateIsNamed(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("trainer_state.json"), "{\"log_history\": [{\"loss\": 1.0}]}");
    CalmException e = assertThrows(CalmException.class, () -> HfTrainerRun.read(dir));
    assertTrue(e.getMessage().contains("trainer_state.json") && e.getMessage().contains("log_history[0]"), e.getMessage());
    Files.writeString(dir.resolve("trainer_state.json"), "{not json");
    CalmException bad = assertThrows(CalmException.class, () -> HfTrainerRun.read(dir));
    assertTrue(bad.getMessage().contains("trainer_state.json"), bad.getMessage());
  }
}
