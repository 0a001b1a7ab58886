package org.calmworkbench.app.gui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javafx.collections.ListChangeListener;
import org.calmworkbench.app.gui.TestContexts.RecordingNotifier;
import org.calmworkbench.app.gui.aetrain.AeTrainingViewModel;
import org.calmworkbench.app.gui.common.MetricPoint;
import org.calmworkbench.app.gui.service.Job;
import org.calmworkbench.app.gui.service.JobState;
import org.calmworkbench.backend.config.Settings;
import org.calmworkbench.backend.data.DataSplit;
import org.calmworkbench.backend.io.JsonFiles;
import org.calmworkbench.backend.train.TrainerState;
import org.calmworkbench.backend.train.TrainingLoop;
import org.calmworkbench.backend.workflow.AeTraining;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The training page's view model without a screen: UI updates and jobs on the test thread. */
class AeTrainingViewModelTest {
  @TempDir Path dir;
  WorkbenchContext ctx;
  AeTrainingViewModel vm;

  @BeforeEach
  void setUp() throws Exception {
    ctx = TestContexts.sameThread(dir.resolve("config"), new RecordingNotifier());
    ctx.setProject(TinyProject.create(dir.resolve("project")));
    vm = new AeTrainingViewModel(ctx);
  }

  @Test
  void theProjectsPresetAndOverridesFillTheSheet() {
    assertEquals("tiny", vm.presetProperty().get());
    assertEquals("64", vm.field("hidden_size").textProperty().get());
    assertEquals("64", vm.field("batch_size").textProperty().get(), "project override of the preset");
    assertEquals("300", vm.field("vocab_size").textProperty().get());
    assertTrue(vm.validProperty().get());
    assertEquals("", vm.validationMessageProperty().get());
  }

  @Test
  void theProjectsSeedAndValidationFractionReachTheTrainingRequestAndTheRun() throws Exception {
    ctx.setProject(TinyProject.withSplit(ctx.project(), 7, 0.25));
    assertEquals("7", vm.field("seed").textProperty().get(), "the sheet shows the project's seed");
    Map<String, Number> asked = Settings.parseOverrides(vm.request(dir.resolve("out")).sets(), AeTraining.settableKeys());
    assertEquals(7L, asked.get("seed").longValue());
    assertEquals(7L, asked.get("split_seed").longValue());
    assertEquals(0.25, asked.get("validation_fraction").doubleValue());
    assertEquals(64, asked.get("batch_size").intValue(), "presets.autoencoder still applies");
    assertEquals("tiny", vm.request(dir.resolve("out")).preset());

    vm.field("seed").textProperty().set("9"); // an edit on the page wins over the project, as --set does
    vm.field("steps").textProperty().set("2");
    Job job = vm.train();
    assertEquals(JobState.DONE, job.state(), job.messageProperty().get());
    Path run = vm.runFolderProperty().get();
    JsonObject split = JsonFiles.readObject(run.resolve(DataSplit.FILE));
    assertEquals(7, split.get("split_seed").getAsLong(), split.toString());
    assertEquals(0.25, split.get("validation_fraction").getAsDouble(), split.toString());
    assertEquals(9, TrainerState.read(run.resolve(TrainingLoop.STATE)).trainConfig().get("seed").getAsLong());
  }

  @Test
  void anotherPresetChosenOnThePageKeepsTheProjectsOverridesAndSeed() throws Exception {
    ctx.setProject(TinyProject.withSplit(ctx.project(), 7, 0.25));
    vm.presetProperty().set("laptop");
    assertEquals("256", vm.field("hidden_size").textProperty().get(), "the preset's value");
    assertEquals("64", vm.field("batch_size").textProperty().get(), "presets.autoencoder.batch_size on top");
    assertEquals("7", vm.field("seed").textProperty().get(), "the project's seed on top");
  }

  @Test
  void aProjectFileTheCliWouldRefuseIsReportedAndItsSettingsAreNotUsed() throws Exception {
    ctx.setProject(TinyProject.edit(TinyProject.withSplit(ctx.project(), 7, 0.25),
        "\"autoencoder\": {", "\"autoencoder\": {\"latent_sise\": 8, "));
    assertTrue(vm.statusProperty().get().contains("'presets.autoencoder.latent_sise' is not a setting"),
        vm.statusProperty().get());
    Map<String, Number> asked = Settings.parseOverrides(vm.request(dir.resolve("out")).sets(), AeTraining.settableKeys());
    assertFalse(asked.containsKey("split_seed"), "the project's layer is left out: " + asked);
    assertTrue(vm.validProperty().get(), "the built-in preset alone is still a valid sheet");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "lr|5|lr = 5 is out of range",
      "batch_size|abc|batch_size expects an integer, got 'abc'",
      "ae_dropout|-0.1|ae_dropout = -0.1 is out of range",
      "num_encoder_layers|3|must be even",
      "steps|0|set steps or time_limit"})
  void anInvalidHyperparameterShowsAValidationMessageAndStartsNoJob(String key, String value, String expected) {
    if (key.equals("steps")) {
      vm.field("time_limit").textProperty().set("0");
    }
    vm.field(key).textProperty().set(value);
    assertFalse(vm.validProperty().get());
    assertTrue(vm.validationMessageProperty().get().contains(expected), vm.validationMessageProperty().get());
    assertFalse(vm.canTrainBinding().get());
    assertNull(vm.train());
    assertTrue(ctx.service().jobs().isEmpty(), "no job was queued");
    assertEquals("Not started: fix the settings first.", vm.statusProperty().get());
    assertFalse(Files.exists(dir.resolve("project/runs")), "no run folder was made");
  }

  @Test
  void fixingTheValueClearsTheMessage() {
    vm.field("lr").textProperty().set("5");
    vm.field("lr").textProperty().set("0.003");
    assertTrue(vm.validProperty().get());
    assertEquals("", vm.validationMessageProperty().get());
  }

  @Test
  void aTrainingJobsProgressFillsTheViewModelsSeries() {
    vm.field("steps").textProperty().set("20");
    Job job = vm.train();
    assertNotNull(job);
    assertEquals(JobState.DONE, job.state(), job.messageProperty().get());
    long ce = vm.points().stream().filter(p -> p.series().equals(AeTrainingViewModel.SERIES_CE)).count();
    assertTrue(ce >= 1, "loss points: " + ce);
    MetricPoint last = vm.points().stream().filter(p -> p.series().equals(AeTrainingViewModel.SERIES_CE))
        .reduce((a, b) -> b).orElseThrow();
    assertEquals(20, last.x(), "the last report is the last step");
    assertTrue(vm.points().stream().anyMatch(p -> p.series().equals(AeTrainingViewModel.SERIES_VALID_ACC)),
        "held-out accuracy is charted at eval_every");
    assertTrue(vm.points().stream().allMatch(p -> Double.isFinite(p.y())));
    Path run = vm.runFolderProperty().get();
    assertTrue(run.getFileName().toString().startsWith("ae-"));
    assertEquals(dir.resolve("project/runs").toAbsolutePath(), run.getParent().toAbsolutePath());
    assertTrue(Files.exists(run.resolve("model.safetensors")));
    assertEquals(1, vm.checkpoints().size());
    assertEquals(20, vm.checkpoints().get(0).step());
    assertTrue(vm.statusProperty().get().startsWith("Finished 20 steps"), vm.statusProperty().get());
    assertEquals(1.0, vm.progressProperty().get());
  }

  @Test
  void stoppingARunningJobMarksItCancelledAfterSavingACheckpoint() {
    vm.field("steps").textProperty().set("1000000");
    // The Stop button, pressed once the first progress report has arrived.
    ctx.service().jobs().addListener((ListChangeListener<Job>) c -> {
      while (c.next()) {
        for (Job j : c.getAddedSubList()) {
          j.progressProperty().addListener((o, a, p) -> {
            if (p.doubleValue() > 0) {
              j.cancel();
            }
          });
        }
      }
    });
    Job job = vm.train();
    assertEquals(JobState.CANCELLED, job.state());
    assertTrue(Files.exists(vm.runFolderProperty().get().resolve("trainer_state.json")), "checkpoint saved on stop");
    assertTrue(vm.statusProperty().get().startsWith("Stopped at step"), vm.statusProperty().get());
    assertFalse(vm.activeBinding().get());
    assertTrue(vm.canTrainBinding().get(), "a new run can start");
  }

  @Test
  void aFailedRunShowsTheBackendsMessageOnThePage() throws Exception {
    // Any CalmException of a training job (a NaN named by tensor, a folder in use, a missing corpus)
    // reaches the page's status line as it is, not only the log and the notification.
    vm.field("steps").textProperty().set("5");
    Path corpus = dir.resolve("project/corpus/train.jsonl");
    Files.delete(corpus);
    Job job = vm.train();
    assertNotNull(job);
    assertEquals(JobState.FAILED, job.state());
    String status = vm.statusProperty().get();
    assertTrue(status.startsWith("Training failed: ") && status.contains(corpus.getFileName().toString()), status);
    assertEquals("Training failed: " + job.messageProperty().get(), status);
    assertFalse(vm.activeBinding().get());
  }
}
