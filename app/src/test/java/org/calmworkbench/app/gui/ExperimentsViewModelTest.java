package org.calmworkbench.app.gui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javafx.collections.ListChangeListener;
import org.calmworkbench.app.cli.CalmCli;
import org.calmworkbench.app.gui.TestContexts.RecordingNotifier;
import org.calmworkbench.app.gui.common.MetricPoint;
import org.calmworkbench.app.gui.experiments.CellRow;
import org.calmworkbench.app.gui.experiments.ExperimentFiles;
import org.calmworkbench.app.gui.experiments.ExperimentsViewModel;
import org.calmworkbench.app.gui.service.Job;
import org.calmworkbench.app.gui.service.JobState;
import org.calmworkbench.backend.experiment.CellResult;
import org.calmworkbench.backend.experiment.Experiment;
import org.calmworkbench.backend.experiment.ExperimentRunner;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Experiments page's view model without a screen: UI updates and jobs on the test thread. */
class ExperimentsViewModelTest {
  /** The bundled sample experiments, from the app module's folder (where the tests run). */
  static final Path SAMPLES = Path.of("../sample-projects/experiments").toAbsolutePath().normalize();

  @TempDir Path dir;
  WorkbenchContext ctx;
  ExperimentsViewModel vm;
  Path project;
  Path toy;

  @BeforeEach
  void setUp() throws Exception {
    ctx = TestContexts.sameThread(dir.resolve("config"), new RecordingNotifier());
    ctx.setProject(TinyExperiment.create(dir.resolve("project"), 4));
    project = ctx.project().folder();
    toy = project.resolve(ExperimentFiles.FOLDER).resolve(TinyExperiment.FILE).toAbsolutePath().normalize();
    vm = new ExperimentsViewModel(ctx, SAMPLES);
  }

  Path out(String name) {
    return project.resolve(ExperimentFiles.OUT).resolve(name);
  }

  @Test
  void listsTheProjectsFilesThenTheSamplesAndFillsTheGridFromTheChosenOne() {
    assertEquals(List.of(toy, SAMPLES.resolve("heads.json"), SAMPLES.resolve("inputs.json"),
        SAMPLES.resolve("k-sweep-quick.json"), SAMPLES.resolve("k-sweep.json")), vm.files());
    assertEquals(toy, vm.fileProperty().get(), "the project's own file first");
    assertEquals("2", vm.patchSizesProperty().get());
    assertTrue(vm.includeArBaselineProperty().get());
    assertEquals("", vm.headsProperty().get(), "a key the file leaves out stays empty (its default applies)");

    vm.fileProperty().set(SAMPLES.resolve("k-sweep-quick.json"));
    assertEquals("1, 2, 4, 8", vm.patchSizesProperty().get());
    assertEquals("energy", vm.headsProperty().get());
    assertEquals("discrete", vm.inputsProperty().get());
    assertEquals("32", vm.latentSizesProperty().get());
    assertEquals("3", vm.seedsProperty().get());
    assertTrue(vm.includeArBaselineProperty().get());
    assertEquals(Experiment.Budget.Kind.STEPS, vm.budgetKindProperty().get());
    // The fields show the file's budget, whatever the sample is sized to.
    Experiment.Budget budget = Experiment.read(SAMPLES.resolve("k-sweep-quick.json")).budget();
    assertEquals(String.valueOf((long) budget.value()), vm.budgetValueProperty().get());
    assertEquals(String.valueOf(budget.autoencoderSteps()), vm.autoencoderStepsProperty().get());
    assertTrue(vm.validProperty().get(), vm.validationMessageProperty().get());
    assertEquals("k-sweep-quick", vm.nameProperty().get());
    assertEquals(out("k-sweep-quick"), vm.outputFolderProperty().get());
    assertEquals(List.of("k1-l32-energy-discrete-s3", "k2-l32-energy-discrete-s3", "k4-l32-energy-discrete-s3",
        "k8-l32-energy-discrete-s3", "ar-s3"), vm.cells().stream().map(CellRow::id).toList());
    assertTrue(vm.cells().stream().allMatch(r -> r.status().equals(CellRow.PENDING)));
    assertEquals(List.of("1:100.0", "2:50.0", "4:25.0", "8:12.5", "AR:100.0"),
        vm.bars().stream().map(b -> b.category() + ":" + b.value()).toList(), "steps per 100 tokens are known up front");
    assertTrue(vm.points().isEmpty() && vm.summary().isEmpty());

    vm.patchSizesProperty().set("4, 8");
    vm.refreshFiles(); // what showing the page again does
    assertEquals(SAMPLES.resolve("k-sweep-quick.json"), vm.fileProperty().get());
    assertEquals("4, 8", vm.patchSizesProperty().get(), "edits survive a refresh of the list");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "patch_sizes||grid.patch_sizes: missing (required)",
      "patch_sizes|0|grid.patch_sizes: 0 is out of range [1, 64]",
      "patch_sizes|2, x|grid.patch_sizes: expected an integer, got \"x\"",
      "seeds|1, 1|grid.seeds: lists 1 twice",
      "heads|softmax|grid.heads: unknown head 'softmax'",
      "inputs|pixels|grid.inputs: unknown input 'pixels'",
      "budget|abc|budget.steps: expected an integer, got \"abc\"",
      "budget||budget: give exactly one of steps, flops or minutes"})
  void anInvalidGridShowsTheParsersMessageNamingTheKeyAndStartsNoJob(String key, String value, String expected) {
    String text = value == null ? "" : value;
    switch (key) {
      case "patch_sizes" -> vm.patchSizesProperty().set(text);
      case "seeds" -> vm.seedsProperty().set(text);
      case "heads" -> vm.headsProperty().set(text);
      case "inputs" -> vm.inputsProperty().set(text);
      default -> vm.budgetValueProperty().set(text);
    }
    assertFalse(vm.validProperty().get());
    assertTrue(vm.validationMessageProperty().get().startsWith(toy + ": " + expected), vm.validationMessageProperty().get());
    assertFalse(vm.canRunBinding().get());
    assertNull(vm.run());
    assertTrue(ctx.service().jobs().isEmpty(), "no job was queued");
    assertEquals("Not started: fix the experiment first.", vm.statusProperty().get());
    assertFalse(Files.exists(project.resolve(ExperimentFiles.OUT)), "no results folder was made");
    assertTrue(vm.cells().isEmpty());
  }

  @Test
  void theMessageIsTheOneTheCommandLineGivesForTheSameFile() throws Exception {
    vm.patchSizesProperty().set("2, 65");
    Path saved = dir.resolve("saved").resolve("bad-grid.json");
    assertTrue(vm.saveAs(saved), vm.statusProperty().get());
    String message = vm.validationMessageProperty().get();
    assertTrue(message.startsWith(saved.toAbsolutePath() + ": grid.patch_sizes: 65 is out of range"), message);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = CalmCli.run(new String[] {"experiment", "run", saved.toString(), "--out", dir.resolve("cli-out").toString()},
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(2, code, "the CLI's exit code for a bad input file");
    assertEquals("error: " + message, err.toString(StandardCharsets.UTF_8).strip());
  }

  @Test
  void aToyGridRunsInTheQueueAndItsCellsFillInOneByOne() throws Exception {
    List<String> seen = new ArrayList<>(); // each change of the table, as "id=status" of every row
    vm.cells().addListener((ListChangeListener<CellRow>) c -> seen.add(
        String.join(" ", vm.cells().stream().map(r -> r.id() + "=" + r.status().replaceAll(" \\d+%$", "")).toList())));
    Job job = vm.run();
    assertNotNull(job);
    assertEquals(JobState.DONE, job.state(), job.messageProperty().get());
    assertEquals(ExperimentsViewModel.KIND, job.spec().kind());
    assertTrue(job.spec().canPause() && job.spec().usesEngine());

    assertTrue(seen.contains("k2-l16-energy-discrete-s1=running ar-s1=pending"), seen.toString());
    assertTrue(seen.contains("k2-l16-energy-discrete-s1=ok ar-s1=pending"), "the first cell fills in before the second: " + seen);
    assertTrue(seen.contains("k2-l16-energy-discrete-s1=ok ar-s1=running"), seen.toString());
    assertEquals("k2-l16-energy-discrete-s1=ok ar-s1=ok", seen.get(seen.size() - 1));

    List<CellResult> onDisk = List.copyOf(ExperimentRunner.readResults(out(TinyExperiment.NAME)).values());
    assertEquals(onDisk.stream().map(CellResult::toJson).toList(),
        vm.cells().stream().map(r -> r.result().toJson()).toList(), "the rows are the runner's, as in results.jsonl");
    for (CellRow r : vm.cells()) {
      assertTrue(r.ok(), r.status());
      assertTrue(r.brierLm() >= 0 && r.trainFlops() > 0 && r.inferFlopsPerToken() > 0 && r.tokensPerSecond() > 0);
    }
    assertEquals(50.0, vm.cells().get(0).stepsPer100Tokens());
    assertEquals(100.0, vm.cells().get(1).stepsPer100Tokens());
    assertEquals(2, vm.summary().size());
    assertEquals(vm.cells().get(0).brierLm(), vm.summary().get(0).brierLmMean(), 1e-12);

    CellRow k2 = vm.cells().get(0);
    CellRow ar = vm.cells().get(1);
    assertEquals(List.of(
        new MetricPoint(ExperimentsViewModel.CHART_TRAIN, "K = 2", k2.trainFlops(), k2.brierLm()),
        new MetricPoint(ExperimentsViewModel.CHART_TRAIN, ExperimentsViewModel.AR_SERIES, ar.trainFlops(), ar.brierLm()),
        new MetricPoint(ExperimentsViewModel.CHART_INFER, "K = 2", k2.inferFlopsPerToken(), k2.brierLm()),
        new MetricPoint(ExperimentsViewModel.CHART_INFER, ExperimentsViewModel.AR_SERIES, ar.inferFlopsPerToken(), ar.brierLm())),
        vm.points());

    assertEquals(1.0, vm.progressProperty().get());
    assertTrue(vm.statusProperty().get().startsWith("2 of 2 cells done (2 now, 0 before)"), vm.statusProperty().get());
    for (String f : List.of(ExperimentRunner.RESULTS_CSV, ExperimentRunner.SUMMARY_CSV, ExperimentRunner.EXPERIMENT_COPY)) {
      assertTrue(Files.isRegularFile(out(TinyExperiment.NAME).resolve(f)), f);
    }

    // The app restarted: the finished cells show at once, and a second run resumes (nothing to train).
    ExperimentsViewModel again = new ExperimentsViewModel(ctx, SAMPLES);
    assertEquals(vm.cells().stream().map(r -> r.result().toJson()).toList(),
        again.cells().stream().map(r -> r.result().toJson()).toList());
    assertEquals(2, again.summary().size());
    assertEquals(4, again.points().size());
    Job rerun = again.run();
    assertEquals(JobState.DONE, rerun.state());
    assertTrue(again.statusProperty().get().startsWith("2 of 2 cells done (0 now, 2 before)"), again.statusProperty().get());

    // An edited grid is another experiment: another folder, its cells pending; back to K = 2, the results are there.
    again.patchSizesProperty().set("2, 4");
    assertEquals(out(TinyExperiment.NAME + "-2"), again.outputFolderProperty().get());
    assertTrue(again.cells().stream().noneMatch(CellRow::finished));
    again.patchSizesProperty().set("2");
    assertEquals(out(TinyExperiment.NAME), again.outputFolderProperty().get());
    assertTrue(again.cells().stream().allMatch(CellRow::ok));
  }

  @Test
  void withBrierLmDuringTrainingEachKDrawsACurveUpToItsFinalPoint() throws Exception {
    Files.writeString(toy, TinyExperiment.json(4).replace("\"target_samples\": 8",
        "\"target_samples\": 8, \"eval_every\": 2, \"eval_positions\": 8"));
    vm.refreshFiles();
    vm.fileProperty().set(null);
    vm.fileProperty().set(toy);
    assertTrue(vm.validProperty().get(), vm.validationMessageProperty().get());
    assertEquals(JobState.DONE, vm.run().state());
    CellRow k2 = vm.cells().get(0);
    List<MetricPoint> curve = vm.points().stream()
        .filter(m -> m.chart().equals(ExperimentsViewModel.CHART_TRAIN) && m.series().equals("K = 2")).toList();
    assertEquals(2, curve.size(), "the evaluation at step 2 of 4, then the final BrierLM: " + curve);
    CellResult r = k2.result();
    assertEquals(r.aeTrainFlops() + r.lmTrainFlops() / 2, curve.get(0).x(), 1e-6 * r.trainFlops(),
        "half the language model's FLOPs at step 2 of 4, after the whole autoencoder's");
    assertEquals(new MetricPoint(ExperimentsViewModel.CHART_TRAIN, "K = 2", r.trainFlops(), r.brierLm()), curve.get(1));
    assertTrue(vm.points().stream().filter(m -> m.chart().equals(ExperimentsViewModel.CHART_INFER)).count() == 2,
        "inference FLOPs do not change while training: one point per cell");
    // Read back from the results folder (the page shown again later), the curve is the same.
    ExperimentsViewModel again = new ExperimentsViewModel(ctx, SAMPLES);
    assertEquals(vm.points(), again.points());
  }

  @Test
  void stopEndsTheGridAndTheCellStaysPendingForTheNextRun() throws Exception {
    vm.budgetValueProperty().set("1000000");
    ctx.service().jobs().addListener((ListChangeListener<Job>) c -> {
      while (c.next()) {
        for (Job j : c.getAddedSubList()) {
          j.messageProperty().addListener((o, a, m) -> {
            if (m.contains("language model") && j.progressProperty().get() > 0) {
              j.cancel(); // what Stop does once the first cell's language model trains (the UI test presses Stop)
            }
          });
        }
      }
    });
    Job job = vm.run();
    assertEquals(JobState.CANCELLED, job.state());
    assertTrue(vm.statusProperty().get().startsWith("Stopped after 0 of 2 cells"), vm.statusProperty().get());
    assertTrue(vm.cells().stream().allMatch(r -> r.status().equals(CellRow.PENDING)), vm.cells().toString());
    assertTrue(ExperimentRunner.readResults(out(TinyExperiment.NAME)).isEmpty(), "a stopped cell is not recorded");
    assertTrue(Files.isRegularFile(out(TinyExperiment.NAME).resolve("cells/k2-l16-energy-discrete-s1/lm/trainer_state.json")),
        "its training saved a checkpoint to resume from");
    assertFalse(vm.activeBinding().get());
    assertTrue(vm.canRunBinding().get(), "it can run again");
  }

  @Test
  void saveAsWritesTheEditedGridAtomicallyWithTheCorpusPathStillRight() throws Exception {
    vm.patchSizesProperty().set("2, 8");
    vm.seedsProperty().set("1, 2");
    vm.budgetKindProperty().set(Experiment.Budget.Kind.MINUTES);
    vm.budgetValueProperty().set("0.5");
    Path target = dir.resolve("elsewhere/deeper/my-grid.json");
    assertTrue(vm.saveAs(target), vm.statusProperty().get());

    Experiment saved = Experiment.read(target);
    assertEquals("my-grid", saved.name(), "named after its file");
    assertEquals(List.of(2, 8), saved.grid().patchSizes());
    assertEquals(List.of(1L, 2L), saved.grid().seeds());
    assertEquals(Experiment.Budget.Kind.MINUTES, saved.budget().kind());
    assertEquals(0.5, saved.budget().value());
    assertEquals(8, saved.budget().autoencoderSteps());
    assertEquals(List.of(project.resolve("corpus/train.jsonl").toAbsolutePath().normalize()), saved.corpus(),
        "the relative corpus path was rewritten for the new folder");
    assertEquals(Experiment.read(toy).lm(), saved.lm(), "the keys the page does not edit are kept");
    try (Stream<Path> s = Files.list(target.getParent())) {
      assertEquals(List.of(target), s.toList(), "no temporary file left beside it");
    }
    assertEquals(target.toAbsolutePath().normalize(), vm.fileProperty().get());
    assertTrue(vm.files().contains(vm.fileProperty().get()));
    assertEquals(out("my-grid"), vm.outputFolderProperty().get());
    assertEquals(6, vm.cells().size(), "(2 K + the AR baseline) x 2 seeds");
  }
}
