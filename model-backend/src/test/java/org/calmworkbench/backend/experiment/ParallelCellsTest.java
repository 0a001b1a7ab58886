package org.calmworkbench.backend.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.calmworkbench.backend.train.TrainControl;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parallel cells ({@code jobs = 2}) against the same grid in one process: the same numbers, every
 * row in results.jsonl, two cells seen running at once; a worker that dies, a stop, a pause.
 */
class ParallelCellsTest {
  @TempDir static Path dir;
  static Experiment experiment;
  static ExperimentRunner.Result sequential;
  static ExperimentRunner.Result parallel;
  static final List<ExperimentRunner.Progress> progress = Collections.synchronizedList(new ArrayList<>());

  static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
  static final String CP = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));

  /** Workers as the app starts them, with {@link TestWorkerMain} in place of the CLI. */
  static final ExperimentRunner.WorkerLauncher LAUNCHER = (file, out, ids, threads) -> {
    List<String> cmd = new ArrayList<>(List.of(JAVA, "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=" + threads,
        "-cp", CP, TestWorkerMain.class.getName(), file.toString(), out.toString()));
    cmd.addAll(ids);
    return new ProcessBuilder(cmd);
  };

  @BeforeAll
  static void runTheGridInOneProcessAndInTwoWorkers() throws Exception {
    ExperimentRunnerTest.writeCorpus(dir);
    Path file = dir.resolve("toy.json");
    Files.writeString(file, ExperimentRunnerTest.toyExperiment(
        "{\"patch_sizes\": [2, 4], \"seeds\": [3], \"include_ar_baseline\": true}"));
    experiment = Experiment.read(file);
    sequential = ExperimentRunner.run(new ExperimentRunner.Options(experiment, dir.resolve("seq"), false),
        new ExperimentRunner.Listener() {}, TrainControl.NONE);
    parallel = ExperimentRunner.run(new ExperimentRunner.Options(experiment, dir.resolve("par"), false, 2, LAUNCHER),
        new ExperimentRunner.Listener() {
          @Override
          public void onProgress(ExperimentRunner.Progress p) {
            progress.add(p);
          }
        }, TrainControl.NONE);
  }

  @Test
  void everyCellGivesTheSameNumbersAsInOneProcess() {
    assertEquals(3, parallel.rows().size());
    assertEquals(3, parallel.ran());
    assertFalse(parallel.stopped());
    for (CellResult s : sequential.rows()) {
      CellResult p = ExperimentRunnerTest.row(parallel, s.cellId());
      assertTrue(p.ok(), p.cellId() + ": " + p.error());
      assertArrayEquals(s.brier(), p.brier(), 0, s.cellId() + ": Brier-1..4");
      assertEquals(s.brierLm(), p.brierLm(), 0, s.cellId());
      assertEquals(s.lmTrainFlops(), p.lmTrainFlops(), 0, s.cellId());
      assertEquals(s.aeTrainFlops(), p.aeTrainFlops(), 0, s.cellId());
      assertEquals(s.lmSteps(), p.lmSteps(), s.cellId());
    }
  }

  @Test
  void rowsAreGatheredInGridOrderWithALogPerWorker() throws Exception {
    List<String> lines = Files.readAllLines(parallel.out().resolve(ExperimentRunner.RESULTS_JSONL));
    List<String> ids = new ArrayList<>();
    for (CellResult r : ExperimentRunner.readResults(parallel.out()).values()) {
      ids.add(r.cellId());
    }
    assertEquals(List.of("k2-l16-energy-discrete-s3", "k4-l16-energy-discrete-s3", "ar-s3"), ids);
    assertEquals(3, lines.size());
    for (String group : List.of("k2-l16-s3", "k4-l16-s3", "ar-s3")) {
      assertTrue(Files.isRegularFile(parallel.out().resolve("logs").resolve("worker-" + group + ".log")), group);
    }
    assertFalse(Files.exists(parallel.out().resolve(ExperimentRunner.PAUSED)));
  }

  @Test
  void progressShowsTwoCellsRunningAtOnceAndAnEta() {
    List<ExperimentRunner.Progress> seen;
    synchronized (progress) {
      seen = new ArrayList<>(progress);
    }
    ExperimentRunner.Progress two = seen.stream().filter(p -> p.running().size() == 2).findFirst()
        .orElseThrow(() -> new AssertionError("never two cells at once in " + seen.size() + " events"));
    assertTrue(two.where().startsWith("cells "), two.where());
    assertTrue(two.where().contains(two.running().get(0).cellId()) && two.where().contains(two.running().get(1).cellId()),
        two.where());
    assertEquals(two.running().get(0).cellFraction() + two.running().get(1).cellFraction(), two.cellFraction(), 1e-12);
    assertTrue(seen.stream().anyMatch(p -> Double.isFinite(p.etaSeconds())), "an ETA once work is under way");
  }

  @Test
  void aWorkerThatDiesGivesEachOfItsCellsAFailedRowNamingTheExitCode(@TempDir Path tmp) throws Exception {
    ExperimentRunner.WorkerLauncher dying = (file, out, ids, threads) ->
        new ProcessBuilder(JAVA, "-cp", CP, TestWorkerMain.class.getName(), "--exit", "3");
    ExperimentRunner.Result r = ExperimentRunner.run(new ExperimentRunner.Options(experiment, tmp.resolve("x"), false, 2,
        dying), new ExperimentRunner.Listener() {}, TrainControl.NONE);
    assertEquals(3, r.rows().size());
    for (CellResult row : r.rows()) {
      assertFalse(row.ok());
      assertTrue(row.error().contains("exited with code 3") && row.error().contains("told to fail"), row.error());
    }
  }

  @Test
  void aWorkerThatExitsWithTheStorageCodeStopsTheGridAndLeavesItsCellsPending(@TempDir Path tmp) throws Exception {
    ExperimentRunner.WorkerLauncher fullDisk = (file, out, ids, threads) ->
        new ProcessBuilder(JAVA, "-cp", CP, TestWorkerMain.class.getName(), "--exit",
            Integer.toString(org.calmworkbench.backend.StorageException.EXIT_CODE));
    Path out = tmp.resolve("x");
    org.calmworkbench.backend.StorageException e = org.junit.jupiter.api.Assertions.assertThrows(
        org.calmworkbench.backend.StorageException.class, () -> ExperimentRunner.run(new ExperimentRunner.Options(
            experiment, out, false, 2, fullDisk), new ExperimentRunner.Listener() {}, TrainControl.NONE));
    assertTrue(e.getMessage().contains("told to fail") && e.getMessage().contains("worker-"), e.getMessage());
    assertTrue(ExperimentRunner.readResults(out).isEmpty(), "no cell recorded: they run on resume");
  }

  @Test
  void aStopEndsTheWorkersLeavesTheirCellsPendingAndTheNextRunFinishesThem(@TempDir Path tmp) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    Path out = tmp.resolve("stopped");
    ExperimentRunner.Result r = ExperimentRunner.run(new ExperimentRunner.Options(experiment, out, false, 2, LAUNCHER),
        new ExperimentRunner.Listener() {
          @Override
          public void onProgress(ExperimentRunner.Progress p) {
            if (p.running().stream().anyMatch(c -> c.stage().equals("language model") && c.stageFraction() > 0)) {
              stop.set(true);
            }
          }
        }, stop::get);
    assertTrue(r.stopped());
    assertTrue(r.rows().size() < 3, "some cell was stopped: " + r.rows().size());
    assertEquals(0, ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count(), "no worker left");
    ExperimentRunner.Result resumed = ExperimentRunner.run(new ExperimentRunner.Options(experiment, out, false, 2,
        LAUNCHER), new ExperimentRunner.Listener() {}, TrainControl.NONE);
    assertEquals(3, resumed.rows().size());
    assertFalse(resumed.stopped());
    for (CellResult s : sequential.rows()) {
      CellResult p = ExperimentRunnerTest.row(resumed, s.cellId());
      assertTrue(p.ok(), p.error());
      assertArrayEquals(s.brier(), p.brier(), 0, s.cellId() + ": a stopped and resumed cell gives the same numbers");
    }
  }

  @Test
  void aWorkerHoldsWhileThePauseFileIsThere(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("held");
    // A prepared folder: the parent's part (experiment.json, tokenizer.json) without running a cell.
    AtomicBoolean stopAtOnce = new AtomicBoolean(true);
    ExperimentRunner.run(new ExperimentRunner.Options(experiment, out, false), new ExperimentRunner.Listener() {},
        stopAtOnce::get);
    Files.writeString(out.resolve(ExperimentRunner.PAUSED), "");
    long start = System.nanoTime();
    List<CellResult> rows = ExperimentRunner.runWorker(experiment, out, List.of("ar-s3"), new ExperimentRunner.Listener() {},
        () -> System.nanoTime() - start > 3e9);
    assertTrue(rows.isEmpty(), "held at its first step until stopped");
    Files.delete(out.resolve(ExperimentRunner.PAUSED));
    rows = ExperimentRunner.runWorker(experiment, out, List.of("ar-s3"), new ExperimentRunner.Listener() {},
        TrainControl.NONE);
    assertEquals(1, rows.size());
    assertTrue(Files.isRegularFile(out.resolve(ExperimentRunner.CELLS).resolve("ar-s3").resolve(ExperimentRunner.CELL_RESULT)));
  }
}
