package org.calmworkbench.app.gui;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javafx.collections.ListChangeListener;
import org.calmworkbench.app.gui.TestContexts.RecordingNotifier;
import org.calmworkbench.app.gui.common.MetricPoint;
import org.calmworkbench.app.gui.lmtrain.LmPoint;
import org.calmworkbench.app.gui.lmtrain.LmTrainingViewModel;
import org.calmworkbench.app.gui.service.Job;
import org.calmworkbench.app.gui.service.JobState;
import org.calmworkbench.app.gui.service.SameThreadUiExecutor;
import org.calmworkbench.backend.config.Settings;
import org.calmworkbench.backend.model.InputMode;
import org.calmworkbench.backend.train.Checkpoints;
import org.calmworkbench.backend.train.MetricsLog;
import org.calmworkbench.backend.train.TrainingLoop;
import org.calmworkbench.backend.workflow.ArTraining;
import org.calmworkbench.backend.workflow.LmTraining;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The CALM training page's view model without a screen: UI updates and jobs on the test thread. */
class LmTrainingViewModelTest {
  @TempDir Path dir;
  WorkbenchContext ctx;
  LmTrainingViewModel vm;

  @BeforeEach
  void setUp() throws Exception {
    ctx = TestContexts.sameThread(dir.resolve("config"), new RecordingNotifier());
    ctx.setProject(TinyProject.createWithCheckpoint(dir.resolve("project")));
    vm = new LmTrainingViewModel(ctx);
  }

  /** Seconds on a CPU: tiny model, 4 steps, an evaluation (energy loss + BrierLM) every 2. */
  static void tinySettings(LmTrainingViewModel vm) {
    vm.presetProperty().set("tiny");
    vm.field("steps").textProperty().set("4");
    vm.field("eval_every").textProperty().set("2");
    vm.field("batch_size").textProperty().set("4");
    vm.field("context_chunks").textProperty().set("4");
    vm.field("target_samples").textProperty().set("4");
    vm.field("eval_positions").textProperty().set("16");
  }

  List<Path> runs(String prefix) throws Exception {
    try (Stream<Path> s = Files.list(dir.resolve("project/runs"))) {
      return s.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
    }
  }

  @Test
  void theProjectsAutoencoderIsChosenAndTheDefaultSettingsAreValid() {
    assertEquals(1, vm.autoencoders().size());
    assertEquals(TinyProject.CHECKPOINT, vm.autoencoderProperty().get().name());
    assertEquals(InputMode.DISCRETE, vm.inputModeProperty().get());
    assertEquals(org.calmworkbench.backend.train.LmPresets.DEFAULT, vm.presetProperty().get());
    assertEquals("64", vm.field("hidden_size").textProperty().get(), "the default (tiny) preset");
    assertEquals("0.1", vm.field("validation_fraction").textProperty().get(), "the split's default");
    assertTrue(vm.validProperty().get(), vm.validationMessageProperty().get());
    assertTrue(vm.canTrainBinding().get());
    vm.presetProperty().set("laptop");
    assertEquals("256", vm.field("hidden_size").textProperty().get(), "a preset fills the sheet");
  }

  @Test
  void theProjectsSeedSplitAndPresetsReachTheCalmAndBaselineRequests() throws Exception {
    ctx.setProject(TinyProject.edit(TinyProject.withSplit(ctx.project(), 7, 0.25), "\"presets\": {",
        "\"presets\": {\"lm\": {\"preset\": \"laptop\", \"input_mode\": \"latent\", \"batch_size\": 6},"));
    assertEquals("laptop", vm.presetProperty().get());
    assertEquals(InputMode.LATENT, vm.inputModeProperty().get());
    assertEquals("0.25", vm.field("validation_fraction").textProperty().get());
    assertEquals("7", vm.field("split_seed").textProperty().get());

    LmTraining.Options calm = vm.request(dir.resolve("lm"));
    Map<String, Number> asked = Settings.parseOverrides(calm.sets(), LmTraining.settableKeys());
    assertEquals("laptop", calm.preset());
    assertEquals(InputMode.LATENT, calm.input());
    assertEquals(7L, asked.get("seed").longValue());
    assertEquals(7L, asked.get("split_seed").longValue());
    assertEquals(0.25, asked.get("validation_fraction").doubleValue());
    assertEquals(6, asked.get("batch_size").intValue(), "presets.lm.batch_size over the preset");

    Map<String, Number> baseline = Settings.parseOverrides(vm.baselineRequest(dir.resolve("ar")).sets(),
        ArTraining.settableKeys());
    assertEquals(7L, baseline.get("seed").longValue(), "the baseline trains on the same seed");
    assertEquals(7L, baseline.get("split_seed").longValue(), "and the same split");
    assertEquals(0.25, baseline.get("validation_fraction").doubleValue());

    vm.field("validation_fraction").textProperty().set("0.2"); // an edit on the page wins, as --set does
    assertEquals(0.2, Settings.parseOverrides(vm.request(dir.resolve("lm")).sets(), LmTraining.settableKeys())
        .get("validation_fraction").doubleValue());
  }

  @Test
  void aProjectWhoseLmHeadThisPageCannotTrainSaysSo() throws Exception {
    ctx.setProject(TinyProject.edit(ctx.project(), "\"presets\": {", "\"presets\": {\"lm\": {\"head\": \"flow\"},"));
    assertTrue(vm.statusProperty().get().contains("'presets.lm.head' is \"flow\"; this page trains the energy head"),
        vm.statusProperty().get());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "lr|5|lr = 5 is out of range",
      "batch_size|abc|batch_size expects an integer, got 'abc'",
      "num_attention_heads|3|must split into num_attention_heads heads",
      "beta|2|beta must lie strictly between 0 and 2",
      "context_chunks|1|context_chunks = 1 is out of range",
      "steps|0|set steps or time_limit"})
  void anInvalidSettingShowsAValidationMessageAndStartsNoJob(String key, String value, String expected) throws Exception {
    if (key.equals("steps")) {
      vm.field("time_limit").textProperty().set("0");
    }
    vm.field(key).textProperty().set(value);
    assertFalse(vm.validProperty().get());
    assertTrue(vm.validationMessageProperty().get().contains(expected), vm.validationMessageProperty().get());
    assertFalse(vm.canTrainBinding().get());
    assertFalse(vm.canTrainBaselineBinding().get());
    assertNull(vm.train());
    assertNull(vm.trainBaseline());
    assertTrue(ctx.service().jobs().isEmpty(), "no job was queued");
    assertEquals("Not started: fix the settings first.", vm.statusProperty().get());
    assertTrue(runs("lm-").isEmpty() && runs("ar-").isEmpty(), "no run folder was made");
  }

  @Test
  void withoutAnAutoencoderNothingCanStart() throws Exception {
    ctx.setProject(TinyProject.create(dir.resolve("bare")));
    assertNull(vm.autoencoderProperty().get());
    assertFalse(vm.validProperty().get());
    assertTrue(vm.validationMessageProperty().get().contains("choose an autoencoder checkpoint"),
        vm.validationMessageProperty().get());
    assertNull(vm.train());
    assertTrue(ctx.service().jobs().isEmpty());
  }

  @Test
  void aTinyCalmRunChartsTheEnergyLossAndBrierAtEachEvaluation() throws Exception {
    tinySettings(vm);
    Job job = vm.train();
    assertNotNull(job);
    assertEquals(JobState.DONE, job.state(), job.messageProperty().get());
    List<LmPoint> loss = vm.points().stream().filter(p -> p.series().equals(LmTrainingViewModel.SERIES_LOSS)).toList();
    assertFalse(loss.isEmpty());
    assertEquals(4, loss.get(loss.size() - 1).step(), "the last report is the last step");
    for (String series : List.of(LmTrainingViewModel.SERIES_VALID_LOSS, LmTrainingViewModel.brierSeries(1),
        LmTrainingViewModel.brierSeries(4), LmTrainingViewModel.SERIES_BRIER_LM, LmTrainingViewModel.SERIES_MARGINAL,
        LmTrainingViewModel.SERIES_ORACLE, LmTrainingViewModel.SERIES_ON_MANIFOLD)) {
      List<Long> steps = vm.points().stream().filter(p -> p.series().equals(series)).map(LmPoint::step).toList();
      assertEquals(List.of(2L, 4L), steps, series + " is measured at each evaluation");
    }
    assertTrue(vm.points().stream().allMatch(p -> Double.isFinite(p.y()) && !p.baseline()));
    // The reference levels: the oracle (exact posterior) below the marginal (context-free), both positive.
    double marginal = vm.points().stream().filter(p -> p.series().equals(LmTrainingViewModel.SERIES_MARGINAL)).findFirst().orElseThrow().y();
    double oracle = vm.points().stream().filter(p -> p.series().equals(LmTrainingViewModel.SERIES_ORACLE)).findFirst().orElseThrow().y();
    assertTrue(0 < oracle && oracle < marginal, "oracle " + oracle + " < marginal " + marginal);
    assertTrue(vm.points().stream().filter(p -> p.series().equals(LmTrainingViewModel.SERIES_ON_MANIFOLD))
        .allMatch(p -> p.y() >= 0 && p.y() <= 1));
    // FLOPs grow in proportion to steps; the FLOPs axis draws them.
    LmPoint at2 = vm.points().stream().filter(p -> p.series().equals(LmTrainingViewModel.SERIES_BRIER_LM)).findFirst().orElseThrow();
    LmPoint at4 = vm.points().stream().filter(p -> p.series().equals(LmTrainingViewModel.SERIES_BRIER_LM)).reduce((a, b) -> b).orElseThrow();
    assertTrue(at2.flops() > 1e6, "flops " + at2.flops());
    assertEquals(2 * at2.flops(), at4.flops(), 1e-6 * at4.flops());
    vm.xAxisProperty().set(LmPoint.XAxis.FLOPS);
    assertTrue(vm.chartPoints().stream().anyMatch(m -> m.x() == at4.flops()));
    Path run = vm.runFolderProperty().get();
    assertEquals(List.of(run), runs("lm-"));
    // The chart's FLOPs are the trainer's, as written to metrics.jsonl.
    List<MetricsLog.Row> rows = MetricsLog.read(run.resolve(TrainingLoop.METRICS));
    assertEquals(rows.get(rows.size() - 1).get(MetricsLog.TRAIN_FLOPS), at4.flops(), 0.0);
    assertEquals("calm_energy", Checkpoints.modelType(run).key());
    assertTrue(vm.statusProperty().get().startsWith("CALM finished 4 steps"), vm.statusProperty().get());
    assertTrue(vm.statusProperty().get().contains("BrierLM"), vm.statusProperty().get());
    assertEquals(1.0, vm.progressProperty().get());
  }

  @Test
  void theArBaselineTrainsOnTheSameTokenizerAndOverlaysItsBrierCurves() throws Exception {
    tinySettings(vm);
    vm.field("eval_every").textProperty().set("4");
    assertNotNull(vm.train());
    int calmPoints = vm.points().size();
    Job ar = vm.trainBaseline();
    assertNotNull(ar);
    assertEquals(JobState.DONE, ar.state(), ar.messageProperty().get());
    assertEquals(LmTrainingViewModel.AR_KIND, ar.spec().kind());
    assertTrue(ar.spec().canPause(), "closing mid-training asks, as for every training job");
    Path arRun = vm.baselineFolderProperty().get();
    assertEquals(List.of(arRun), runs("ar-"));
    assertEquals("calm_ar", Checkpoints.modelType(arRun).key());
    assertArrayEquals(Files.readAllBytes(dir.resolve("project/runs").resolve(TinyProject.CHECKPOINT).resolve("tokenizer.json")),
        Files.readAllBytes(arRun.resolve("tokenizer.json")), "the autoencoder's tokenizer");
    assertEquals(4, Checkpoints.contextChunks(arRun).getAsInt(), "CALM's context in tokens at K = 4");
    List<LmPoint> arPoints = vm.points().stream().filter(LmPoint::baseline).toList();
    assertEquals(5, arPoints.size(), "Brier-1..4 and BrierLM at the one evaluation: " + arPoints);
    assertTrue(arPoints.stream().allMatch(p -> p.series().startsWith(LmTrainingViewModel.AR_PREFIX) && p.step() == 4));
    assertEquals(calmPoints, vm.points().size() - arPoints.size(), "the CALM curves stay");
    List<MetricPoint> drawn = vm.chartPoints();
    assertTrue(drawn.stream().anyMatch(m -> m.series().equals("AR BrierLM")));
    assertTrue(drawn.indexOf(drawn.stream().filter(m -> m.series().equals("BrierLM")).findFirst().orElseThrow())
        < drawn.indexOf(drawn.stream().filter(m -> m.series().equals("AR BrierLM")).findFirst().orElseThrow()),
        "CALM first, so the baseline takes CALM's colours");
    vm.showBaselineProperty().set(false);
    assertTrue(vm.chartPoints().stream().noneMatch(m -> m.series().startsWith(LmTrainingViewModel.AR_PREFIX)));

    // A new view model (the app restarted) overlays the newest AR run from disk.
    LmTrainingViewModel again = new LmTrainingViewModel(ctx);
    assertEquals(arRun, again.baselineFolderProperty().get());
    assertEquals(arPoints.stream().map(p -> p.series() + "@" + p.step() + "=" + p.y()).toList(),
        again.points().stream().map(p -> p.series() + "@" + p.step() + "=" + p.y()).toList());
  }

  @Test
  void stopEndsARunningJobAfterSavingACheckpoint() {
    tinySettings(vm);
    vm.field("steps").textProperty().set("1000000");
    ctx.service().jobs().addListener((ListChangeListener<Job>) c -> {
      while (c.next()) {
        for (Job j : c.getAddedSubList()) {
          j.progressProperty().addListener((o, a, p) -> {
            if (p.doubleValue() > 0) {
              j.cancel(); // what Stop does, once training has begun (the UI test presses the button itself)
            }
          });
        }
      }
    });
    Job job = vm.train();
    assertEquals(JobState.CANCELLED, job.state());
    assertTrue(Files.exists(vm.runFolderProperty().get().resolve("trainer_state.json")), "checkpoint saved on stop");
    assertTrue(vm.statusProperty().get().startsWith("CALM stopped at step"), vm.statusProperty().get());
    assertFalse(vm.activeBinding().get());
    assertTrue(vm.canTrainBinding().get(), "a new run can start");
  }

  @Test
  void closingTheWindowWithACalmRunQueuedAsksAndStopsIt() throws Exception {
    List<Runnable> worker = new ArrayList<>();
    WorkbenchContext queued = TestContexts.context(dir.resolve("config2"), new RecordingNotifier(),
        new SameThreadUiExecutor(), worker::add);
    queued.setProject(ctx.project());
    LmTrainingViewModel page = new LmTrainingViewModel(queued);
    tinySettings(page);
    Job job = page.train();
    assertEquals(JobState.QUEUED, job.state());
    List<List<Job>> asked = new ArrayList<>();
    boolean[] exited = {false};
    CloseGuard guard = new CloseGuard(queued.service(), jobs -> asked.add(jobs) || true);
    assertFalse(guard.requestClose(() -> exited[0] = true), "the window waits for the checkpoint");
    assertEquals(List.of(List.of(job)), asked);
    worker.forEach(Runnable::run);
    assertEquals(JobState.CANCELLED, job.state());
    assertTrue(exited[0], "the app exits once the queue is idle");
  }
}
