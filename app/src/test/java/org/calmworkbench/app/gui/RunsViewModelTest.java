package org.calmworkbench.app.gui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.calmworkbench.app.gui.TestContexts.RecordingNotifier;
import org.calmworkbench.app.gui.common.MetricPoint;
import org.calmworkbench.app.gui.lmtrain.LmPoint;
import org.calmworkbench.app.gui.runs.RunsViewModel;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.bench.Flops;
import org.calmworkbench.backend.model.ArConfig;
import org.calmworkbench.backend.model.AutoencoderConfig;
import org.calmworkbench.backend.model.CalmConfig;
import org.calmworkbench.backend.model.HeadConfig;
import org.calmworkbench.backend.model.HeadType;
import org.calmworkbench.backend.model.InputMode;
import org.calmworkbench.backend.project.RunStore;
import org.calmworkbench.backend.train.AePresets;
import org.calmworkbench.backend.train.CalmTrainer;
import org.calmworkbench.backend.train.LmPresets;
import org.calmworkbench.backend.train.MetricsLog;
import org.calmworkbench.backend.workflow.ArTraining;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Runs page's view model and the run-folder reader, on run folders laid out as the trainers
 * write them (config.json, trainer_state.json, metrics.jsonl); no engine needed.
 */
class RunsViewModelTest {
  @TempDir Path dir;
  WorkbenchContext ctx;
  Path runs;
  static final AutoencoderConfig AE = AePresets.get("tiny").modelConfig(300);
  static final CalmConfig CALM = LmPresets.get("tiny").calmConfig(300, 4, 16, HeadType.ENERGY);
  static final ArConfig AR = ArTraining.fromPreset(LmPresets.get("tiny"), 300);

  @BeforeEach
  void setUp() throws Exception {
    ctx = TestContexts.sameThread(dir.resolve("config"), new RecordingNotifier());
    ctx.setProject(TinyProject.create(dir.resolve("project")));
    runs = dir.resolve("project/runs");
  }

  /** A run folder: config.json, trainer_state.json at {@code steps} with {@code tokensPerStep}, and metrics lines. */
  Path run(String name, String configJson, long steps, long tokensPerStep, String... metricLines) throws IOException {
    Path d = Files.createDirectories(runs.resolve(name));
    Files.writeString(d.resolve("config.json"), configJson);
    Files.writeString(d.resolve("trainer_state.json"), String.format(
        "{\"kind\":\"x\",\"step\":%d,\"tokens_seen\":%d,\"elapsed_seconds\":1.5,\"train_config\":{}}", steps, steps * tokensPerStep));
    Files.writeString(d.resolve("metrics.jsonl"), String.join("\n", metricLines) + "\n");
    return d;
  }

  void threeRuns() throws IOException {
    run("ae-1", AE.toJson().toString(), 3, 256,
        "{\"step\":1,\"loss\":5.0,\"ce\":1.2,\"kl\":0.1,\"token_accuracy\":0.2}",
        "{\"step\":2,\"loss\":4.0,\"ce\":1.0,\"kl\":0.1,\"token_accuracy\":0.4}",
        "{\"step\":3,\"loss\":3.0,\"ce\":0.7,\"kl\":0.1,\"token_accuracy\":0.6,\"valid_token_accuracy\":0.5}");
    Path lm = run("lm-1", CALM.toJson().toString(), 4, 64,
        "{\"step\":1,\"train_flops\":1.5e9,\"loss\":0.9,\"energy_score\":-0.9}",
        "{\"step\":2,\"train_flops\":3.0e9,\"loss\":0.8,\"energy_score\":-0.8,\"valid_energy_loss\":0.85,\"brier_1\":0.2,\"brier_lm\":3.5}",
        "{\"step\":3,\"train_flops\":4.5e9,\"loss\":0.7,\"energy_score\":-0.7}",
        "{\"step\":4,\"train_flops\":6.0e9,\"loss\":0.6,\"energy_score\":-0.6,\"valid_energy_loss\":0.65,\"brier_1\":0.3,\"brier_lm\":5.25}");
    Files.createDirectories(lm.resolve("autoencoder"));
    Files.writeString(lm.resolve("autoencoder/config.json"), AE.toJson().toString());
    run("ar-1", AR.toJson().toString(), 4, 64,
        "{\"step\":2,\"train_flops\":4.0e8,\"loss\":4.1,\"token_accuracy\":0.1,\"valid_ce\":4.2,\"brier_1\":0.1,\"brier_lm\":2.0}",
        "{\"step\":4,\"train_flops\":8.0e8,\"loss\":3.9,\"token_accuracy\":0.2,\"valid_ce\":4.0,\"brier_1\":0.15,\"brier_lm\":4.0}");
  }

  /**
   * Issue 13, goal 5: a refresh (on every checkpoint any job saves) re-reads only the runs whose
   * files changed; it parsed every run's metrics.jsonl on the FX thread each time (the bundled
   * sample's 12,000 lines: 362 pulse gaps over 50 ms in a 100-cycle GUI session).
   */
  @Test
  void aRefreshRereadsOnlyTheRunsWhoseFilesChanged() throws Exception {
    threeRuns();
    RunsViewModel vm = new RunsViewModel(ctx);
    List<RunStore.Run> first = List.copyOf(vm.runs());
    vm.refresh();
    for (int i = 0; i < 3; i++) {
      assertTrue(first.get(i) == vm.runs().get(i), "unchanged " + first.get(i) + " was not read again");
    }
    // the AE run trains on: a new metrics line and state; the others stay as read
    Path ae = runs.resolve("ae-1");
    Files.writeString(ae.resolve("metrics.jsonl"), "{\"step\":4,\"loss\":2.5,\"ce\":0.6,\"kl\":0.1,\"token_accuracy\":0.7}\n",
        java.nio.file.StandardOpenOption.APPEND);
    Files.writeString(ae.resolve("trainer_state.json"),
        "{\"kind\":\"x\",\"step\":4,\"tokens_seen\":1024,\"elapsed_seconds\":2.0,\"train_config\":{}}");
    vm.refresh();
    RunStore.Run aeNow = vm.runs().get(0);
    assertEquals(4, aeNow.steps());
    assertEquals(2.5, aeNow.finalLoss());
    assertEquals(4, aeNow.rows().size());
    assertTrue(first.get(1) == vm.runs().get(1) && first.get(2) == vm.runs().get(2), "the unchanged runs kept");
    // a run deleted leaves the list (and the cache); one that becomes malformed is named, not served stale
    org.calmworkbench.backend.io.AtomicFiles.deleteTree(runs.resolve("ar-1"));
    Files.writeString(runs.resolve("lm-1").resolve("metrics.jsonl"), "{\"step\":1,\"loss\":\n");
    vm.refresh();
    assertEquals(List.of("AE ae-1"), vm.runs().stream().map(RunStore.Run::toString).toList());
    assertTrue(vm.problemsProperty().get().contains("metrics.jsonl"), vm.problemsProperty().get());
  }

  /**
   * Issue 13, goal 5: while its page is hidden, a checkpoint saved by a job does not make the page
   * read the runs on the UI thread; showing the page again does.
   */
  @Test
  void aHiddenPageReadsTheRunsWhenShownNotAtEveryCheckpoint() throws Exception {
    threeRuns();
    RunsViewModel vm = new RunsViewModel(ctx);
    assertEquals(3, vm.runs().size());
    vm.setShown(false);
    run("ae-2", AE.toJson().toString(), 1, 256, "{\"step\":1,\"loss\":5.0,\"ce\":1.2,\"kl\":0.1,\"token_accuracy\":0.2}");
    ctx.bus().publish(new org.calmworkbench.app.gui.common.Events.CheckpointSaved(runs.resolve("ae-2"),
        RunStore.listing(dir.resolve("project"))));
    assertEquals(3, vm.runs().size(), "hidden: not read");
    vm.setShown(true);
    ctx.bus().publish(new org.calmworkbench.app.gui.common.Events.CheckpointSaved(runs.resolve("ae-2"),
        RunStore.listing(dir.resolve("project"))));
    assertEquals(4, vm.runs().size(), "shown: read at the checkpoint");
  }

  @Test
  void everyRunIsListedWithTypeStepsFinalLossAndBrierLm() throws Exception {
    threeRuns();
    RunsViewModel vm = new RunsViewModel(ctx);
    assertEquals("", vm.problemsProperty().get());
    assertEquals(List.of("AE ae-1", "AR ar-1", "CALM lm-1"), vm.runs().stream().map(RunStore.Run::toString).toList());
    RunStore.Run ae = vm.runs().get(0);
    RunStore.Run ar = vm.runs().get(1);
    RunStore.Run lm = vm.runs().get(2);
    assertEquals(3, ae.steps());
    assertEquals(3.0, ae.finalLoss());
    assertTrue(Double.isNaN(ae.brierLm()), "an autoencoder has no BrierLM");
    assertEquals(0.6, lm.finalLoss());
    assertEquals(5.25, lm.brierLm(), "the last evaluation's, not the last row's");
    assertEquals(4.0, ar.brierLm());
    assertTrue(vm.statusProperty().get().startsWith("3 runs in "), vm.statusProperty().get());
    // the Folder column: relative to the project when the run is inside it, else the absolute path
    assertEquals(java.nio.file.Path.of("runs", "lm-1").toString(), vm.shownFolder(lm));
    RunStore.Run outside = new RunStore.Run(dir.resolve("elsewhere"), lm.type(), lm.steps(), lm.finalLoss(),
        lm.brierLm(), lm.date(), lm.rows(), lm.source(), lm.checkpoints());
    assertEquals(dir.resolve("elsewhere").toAbsolutePath().normalize().toString(), vm.shownFolder(outside));
  }

  @Test
  void selectedRunsOverlayTheChosenMetricAgainstStepsOrFlops() throws Exception {
    threeRuns();
    RunsViewModel vm = new RunsViewModel(ctx);
    assertEquals("loss", vm.metricProperty().get());
    vm.selected().setAll(vm.runs());
    assertEquals(Set.of("AE ae-1", "AR ar-1", "CALM lm-1"), series(vm.points()));
    assertTrue(vm.metrics().containsAll(List.of("loss", "brier_lm", "valid_energy_loss", "valid_ce", "token_accuracy")));
    vm.metricProperty().set("brier_lm");
    assertEquals(Set.of("AR ar-1", "CALM lm-1"), series(vm.points()), "only runs that measured it");
    assertEquals(List.of(2.0, 4.0, 2.0, 4.0), vm.points().stream().map(MetricPoint::x).toList());
    assertEquals(List.of(2.0, 4.0, 3.5, 5.25), vm.points().stream().map(MetricPoint::y).toList());
    vm.xAxisProperty().set(LmPoint.XAxis.FLOPS);
    assertEquals(List.of(4.0e8, 8.0e8, 3.0e9, 6.0e9), vm.points().stream().map(MetricPoint::x).toList(),
        "each row's train_flops from metrics.jsonl");
    vm.metricProperty().set("loss");
    assertEquals(Set.of("AR ar-1", "CALM lm-1"), series(vm.points()), "rows without train_flops have no FLOPs point");
    vm.selected().setAll(vm.runs().get(0));
    assertEquals(List.of("loss", "ce", "kl", "token_accuracy", "valid_token_accuracy"), vm.metrics());
  }

  @Test
  void aClusterRunFromTheOfficialCodeSitsOnTheSameChart() throws Exception {
    threeRuns();
    Path cluster = Files.createDirectories(runs.resolve("cluster-calm/checkpoint-4"));
    Files.writeString(cluster.resolve("trainer_state.json"), """
        {"global_step": 4, "log_history": [
          {"learning_rate": 3e-4, "loss": 0.5, "step": 2},
          {"eval_loss": 0.55, "eval_brierLM": 0.06, "step": 2},
          {"learning_rate": 3e-4, "loss": 0.4, "step": 4},
          {"eval_loss": 0.45, "eval_brierLM": 0.08, "step": 4}]}
        """);
    Files.writeString(cluster.resolve("config.json"), "{\"model_type\": \"energy\"}");
    RunsViewModel vm = new RunsViewModel(ctx);
    assertEquals("", vm.problemsProperty().get());
    assertEquals(List.of("AE ae-1", "AR ar-1", "CALM cluster-calm", "CALM lm-1"),
        vm.runs().stream().map(RunStore.Run::toString).toList());
    RunStore.Run c = vm.runs().get(2);
    assertEquals(RunStore.HF_TRAINER, c.source());
    assertEquals(4, c.steps());
    assertEquals(0.4, c.finalLoss());
    vm.selected().setAll(vm.runs().get(2), vm.runs().get(3));
    vm.metricProperty().set("brier_lm");
    assertEquals(Set.of("CALM cluster-calm", "CALM lm-1"), series(vm.points()));
    assertEquals(List.of(6.0, 8.0, 3.5, 5.25), vm.points().stream().map(MetricPoint::y).toList().stream()
        .map(y -> Math.round(y * 100) / 100.0).toList(), "the official 0..1 BrierLM on the workbench's 0..100 scale");
  }

  @Test
  void theSelectedRunExportsForTorchrun() throws Exception {
    org.calmworkbench.backend.io.AtomicFiles.copyTree(
        Path.of("..", "sample-projects", "grammar-english", "runs", "sample-calm"), runs.resolve("sample-calm"), p -> false);
    threeRuns();
    RunsViewModel vm = new RunsViewModel(ctx);
    vm.selected().setAll(vm.runs().stream().filter(r -> r.name().equals("ar-1")).toList());
    assertNull(vm.exportTorchrun(dir.resolve("nope")), "the AR baseline is not exported");
    assertTrue(vm.statusProperty().get().startsWith("Select one CALM or autoencoder run"), vm.statusProperty().get());
    vm.selected().setAll(vm.runs().stream().filter(r -> r.name().equals("sample-calm")).toList());
    vm.exportTorchrun(dir.resolve("cluster"));
    assertTrue(vm.statusProperty().get().startsWith("Exported sample-calm to "), vm.statusProperty().get());
    assertTrue(Files.isRegularFile(dir.resolve("cluster/train_calm.sh")));
    assertTrue(Files.isRegularFile(dir.resolve("cluster/calm/model.safetensors")));
  }

  @Test
  void aMalformedMetricsLineIsReportedWithFileAndLineAndTheOtherRunsStillList() throws Exception {
    threeRuns();
    Path bad = run("lm-bad", CALM.toJson().toString(), 2, 64,
        "{\"step\":1,\"loss\":0.9}", "{\"step\":2,\"loss\":0.8", "{\"step\":3,\"loss\":0.7}");
    RunsViewModel vm = new RunsViewModel(ctx);
    assertEquals(3, vm.runs().size(), "the readable runs still list");
    String problem = vm.problemsProperty().get();
    assertTrue(problem.contains(bad.resolve("metrics.jsonl").toString()), problem);
    assertTrue(problem.contains("line 2"), problem);
    assertTrue(problem.contains("not valid JSON"), problem);
    assertTrue(ctx.service().log().entries().stream().anyMatch(e -> e.text().contains("line 2")), "and logged");
  }

  /**
   * The trainer counts a flow head's head_samples passes and the latent input's latent_proj; the
   * Runs page shows its count (metrics.jsonl's train_flops), not the energy-head, discrete-input
   * formula it used to recompute.
   */
  @Test
  void flowHeadAndLatentInputRunsChartTheFlopsTheirTrainerCounted() throws Exception {
    CalmConfig flow = CALM.withHead(HeadConfig.defaults(HeadType.FLOW));
    double flowPerStep = Flops.calmTrainingPerToken(flow, AE, InputMode.DISCRETE) * 64;
    double latentPerStep = Flops.calmTrainingPerToken(CALM, AE, InputMode.LATENT) * 64;
    double energyDiscretePerStep = Flops.calmTrainingPerToken(CALM, AE, InputMode.DISCRETE) * 64;
    assertTrue(Math.abs(flowPerStep / energyDiscretePerStep - 1) > 0.01, "the formulas differ, so the test can tell");
    assertTrue(Math.abs(latentPerStep / energyDiscretePerStep - 1) > 0.01, "the formulas differ, so the test can tell");
    Path flowRun = run("lm-flow", CalmTrainer.configJson(flow, InputMode.DISCRETE).toString(), 2, 64,
        metricsLine(1, flowPerStep), metricsLine(2, 2 * flowPerStep));
    Path latentRun = run("lm-latent", CalmTrainer.configJson(CALM, InputMode.LATENT).toString(), 2, 64,
        metricsLine(1, latentPerStep), metricsLine(2, 2 * latentPerStep));
    for (Path d : List.of(flowRun, latentRun)) {
      Files.createDirectories(d.resolve("autoencoder"));
      Files.writeString(d.resolve("autoencoder/config.json"), AE.toJson().toString());
    }

    RunsViewModel vm = new RunsViewModel(ctx);
    assertEquals(List.of("CALM lm-flow", "CALM lm-latent"), vm.runs().stream().map(RunStore.Run::toString).toList());
    vm.selected().setAll(vm.runs());
    vm.xAxisProperty().set(LmPoint.XAxis.FLOPS);
    List<Double> expected = new ArrayList<>();
    for (Path d : List.of(flowRun, latentRun)) {
      MetricsLog.read(d.resolve("metrics.jsonl")).forEach(r -> expected.add(r.get(MetricsLog.TRAIN_FLOPS)));
    }
    assertEquals(expected, vm.points().stream().map(MetricPoint::x).toList());
    assertEquals(List.of(flowPerStep, 2 * flowPerStep, latentPerStep, 2 * latentPerStep), expected);
  }

  private static String metricsLine(long step, double trainFlops) {
    return String.format(java.util.Locale.ROOT, "{\"step\":%d,\"train_flops\":%s,\"loss\":0.5}", step, trainFlops);
  }

  @Test
  void metricsLinesNeedANumericStep() throws Exception {
    Path d = run("ar-x", AR.toJson().toString(), 1, 64, "{\"step\":1,\"loss\":2}", "", "[1, 2]");
    CalmException e = assertThrows(CalmException.class, () -> MetricsLog.read(d.resolve("metrics.jsonl")));
    assertEquals(d.resolve("metrics.jsonl") + ", line 3: expected a JSON object, got [1, 2]", e.getMessage());
    Files.writeString(d.resolve("metrics.jsonl"), "{\"step\":1}\n{\"loss\":2.5}\n");
    e = assertThrows(CalmException.class, () -> MetricsLog.read(d.resolve("metrics.jsonl")));
    assertTrue(e.getMessage().endsWith(", line 2: no integer \"step\" in {\"loss\":2.5}"), e.getMessage());
  }

  @Test
  void anUnterminatedLastLineIsARowStillBeingWrittenAndIsSkipped() throws Exception {
    Path d = run("ar-y", AR.toJson().toString(), 1, 64, "{\"step\":1,\"loss\":2}");
    Files.writeString(d.resolve("metrics.jsonl"), "{\"step\":1,\"loss\":2}\n{\"step\":2,\"lo");
    List<MetricsLog.Row> rows = MetricsLog.read(d.resolve("metrics.jsonl"));
    assertEquals(1, rows.size());
    assertEquals(2.0, rows.get(0).get("loss"));
  }

  @Test
  void foldersThatAreNotTrainingRunsAreLeftOut() throws Exception {
    threeRuns();
    Path other = Files.createDirectories(runs.resolve("notes"));
    Files.writeString(other.resolve("config.json"), "{\"model_type\":\"something_else\"}");
    Files.createDirectories(runs.resolve("lm-starting")); // no checkpoint yet: no config.json
    assertNull(RunStore.read(other));
    RunsViewModel vm = new RunsViewModel(ctx);
    assertEquals(3, vm.runs().size());
    assertEquals("", vm.problemsProperty().get());
  }

  @Test
  void refreshKeepsTheSelectionOfRunsStillThere() throws Exception {
    threeRuns();
    RunsViewModel vm = new RunsViewModel(ctx);
    vm.selected().setAll(vm.runs().get(1), vm.runs().get(2));
    run("ar-2", AR.toJson().toString(), 1, 64, "{\"step\":1,\"loss\":4.5}");
    vm.refresh();
    assertEquals(4, vm.runs().size());
    assertEquals(List.of("ar-1", "lm-1"), vm.selected().stream().map(RunStore.Run::name).toList());
  }

  @Test
  void theMetricSurvivesAComboBoxThatClearsItsValueWhenTheListChanges() throws Exception {
    threeRuns();
    RunsViewModel vm = new RunsViewModel(ctx);
    vm.metricProperty().set("brier_lm");
    // A ComboBox bound to the metric sets it to null while its items are replaced.
    vm.metrics().addListener((javafx.collections.ListChangeListener<String>) c -> vm.metricProperty().set(null));
    vm.selected().setAll(vm.runs().get(1), vm.runs().get(2));
    assertEquals("brier_lm", vm.metricProperty().get());
    assertEquals(Set.of("AR ar-1", "CALM lm-1"), series(vm.points()));
  }

  static Set<String> series(List<MetricPoint> points) {
    return points.stream().map(MetricPoint::series).collect(Collectors.toSet());
  }
}
