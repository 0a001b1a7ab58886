package org.calmworkbench.backend.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.calmworkbench.backend.Cancellation;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.generate.TinyCalm;
import org.calmworkbench.backend.train.RunLock;
import org.calmworkbench.backend.train.TrainControl;
import org.calmworkbench.backend.train.TrainerState;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 2 x 2 grid (K = 2, 4; discrete and latent input) at toy size, stopped in the middle of the
 * second cell's training and resumed; its rows, files and progress; failures and refusals.
 */
class ExperimentRunnerTest {
  @TempDir static Path dir;
  static Experiment experiment;
  static ExperimentRunner.Result stopped; // stopped mid-way through the second cell's LM training
  static ExperimentRunner.Result full; // the same folder, resumed to the end
  static long stoppedAtStep;
  static String firstRowBeforeResume;
  static final AtomicInteger finishedBeforeStop = new AtomicInteger();
  static final List<String> ranOnResume = new ArrayList<>();
  static final List<ExperimentRunner.Progress> progress = new ArrayList<>();
  static final List<ExperimentRunner.Progress> resumedProgress = new ArrayList<>();

  static String toyExperiment(String grid) {
    return """
        {
          "name": "toy",
          "corpus": "corpus.jsonl",
          "tokenizer": {"vocab_size": 300},
          "autoencoder": {"preset": "tiny", "set": {"hidden_size": 32, "intermediate_size": 64, "batch_size": 32}},
          "lm": {"preset": "tiny", "context_tokens": 16,
                 "set": {"hidden_size": 32, "intermediate_size": 64, "batch_size": 4, "target_samples": 8}},
          "grid": %s,
          "budget": {"steps": 6, "autoencoder_steps": 12},
          "evaluation": {"positions": 8, "generation_tokens": 8}
        }
        """.formatted(grid);
  }

  static Path writeCorpus(Path folder) throws Exception {
    Path corpus = folder.resolve("corpus.jsonl");
    List<String> lines = new ArrayList<>();
    for (int d = 0; d < 40; d++) {
      lines.add("{\"text\": \"" + TinyCalm.sentences(40 + d) + "\"}");
    }
    Files.write(corpus, lines);
    return corpus;
  }

  @BeforeAll
  static void runTheGridStoppingInTheSecondCellThenResume() throws Exception {
    writeCorpus(dir);
    Path file = dir.resolve("toy.json");
    Files.writeString(file, toyExperiment("{\"patch_sizes\": [2, 4], \"inputs\": [\"discrete\", \"latent\"], \"seeds\": [3]}"));
    experiment = Experiment.read(file);
    Path out = dir.resolve("grid");
    Cancellation stop = new Cancellation();
    ExperimentRunner.Listener stopInSecondCell = new ExperimentRunner.Listener() {
      @Override
      public void onCellFinished(CellResult row, int done, int total) {
        finishedBeforeStop.incrementAndGet();
      }

      @Override
      public void onProgress(ExperimentRunner.Progress p) {
        progress.add(p);
        if (p.cellIndex() == 2 && p.stage().equals("language model") && p.stageFraction() > 0
            && p.stageFraction() < 1) {
          stop.cancel("test");
        }
      }
    };
    stopped = ExperimentRunner.run(new ExperimentRunner.Options(experiment, out, false), stopInSecondCell,
        stop::isCancelled);
    stoppedAtStep = TrainerState.read(out.resolve("cells/k2-l16-energy-latent-s3/lm/trainer_state.json")).step();
    firstRowBeforeResume = Files.readAllLines(out.resolve(ExperimentRunner.RESULTS_JSONL)).get(0);
    full = ExperimentRunner.run(new ExperimentRunner.Options(experiment, out, false), new ExperimentRunner.Listener() {
      @Override
      public void onProgress(ExperimentRunner.Progress p) {
        progress.add(p);
        resumedProgress.add(p);
      }

      @Override
      public void onCellFinished(CellResult row, int done, int total) {
        ranOnResume.add(row.cellId());
      }
    }, TrainControl.NONE);
  }

  @Test
  void everyCellFinishesWithPlausibleNumbers() {
    assertFalse(full.stopped());
    assertEquals(4, full.rows().size());
    for (CellResult r : full.rows()) {
      assertTrue(r.ok(), r.cellId() + " failed: " + r.error());
      assertNull(r.error());
      assertTrue(r.brierLm() >= 0 && r.brierLm() <= 100, "BrierLM in [0, 100]: " + r.brierLm());
      for (double b : r.brier()) {
        assertTrue(b >= -1 && b <= 1, "Brier-n in [-1, 1]: " + b);
      }
      assertEquals(8, r.positions());
      assertEquals(6, r.lmSteps());
      assertEquals(6L * 4 * 16, r.lmTokensSeen(), "batch 4 x context 16 tokens per step, whatever K");
      assertTrue(r.aeTrainFlops() > 0 && r.lmTrainFlops() > 0, r.toJson().toString());
      assertEquals(r.aeTrainFlops() + r.lmTrainFlops(), r.trainFlops(), 1e-6 * r.trainFlops());
      assertTrue(r.inferFlopsPerToken() > 0 && r.tokensPerSecond() > 0, r.toJson().toString());
      assertEquals(100.0 / r.cell().patchSize(), r.cell().stepsPer100Tokens());
      assertTrue(r.wallSeconds() > 0 && r.aeWallSeconds() > 0);
      assertTrue(Files.isRegularFile(full.out().resolve(r.checkpoint()).resolve("model.safetensors")));
    }
    CellResult k2 = row(full, "k2-l16-energy-discrete-s3");
    CellResult k4 = row(full, "k4-l16-energy-discrete-s3");
    assertTrue(k2.inferFlopsPerToken() > k4.inferFlopsPerToken(),
        "one backbone step per K tokens: K=2 costs more per token than K=4");
    assertEquals(k2.aeTrainFlops(), row(full, "k2-l16-energy-latent-s3").aeTrainFlops(),
        "discrete and latent cells of one K share their autoencoder");
  }

  @Test
  void oneAutoencoderPerPatchSizeIsTrainedAndShared() throws Exception {
    try (var s = Files.list(full.out().resolve(ExperimentRunner.AUTOENCODERS))) {
      assertEquals(List.of("k2-l16-s3", "k4-l16-s3"), s.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }

  @Test
  void writesJsonlCsvAndSummary() throws Exception {
    Path out = full.out();
    List<String> jsonl = Files.readAllLines(out.resolve(ExperimentRunner.RESULTS_JSONL));
    assertEquals(4, jsonl.size());
    assertEquals(full.rows().get(0).toJson().toString(), jsonl.get(0));
    List<String> csv = Files.readAllLines(out.resolve(ExperimentRunner.RESULTS_CSV));
    assertEquals(5, csv.size());
    assertEquals(String.join(",", CellResult.COLUMNS), csv.get(0));
    List<String> summary = Files.readAllLines(out.resolve(ExperimentRunner.SUMMARY_CSV));
    assertEquals(5, summary.size(), "one configuration per cell with a single seed");
    assertEquals(4, full.summary().size());
    SummaryRow s = full.summary().get(0);
    assertEquals(1, s.seeds());
    assertEquals(full.rows().get(0).brierLm(), s.brierLmMean(), 1e-12);
    assertTrue(Double.isNaN(s.brierLmStd()), "no spread from one seed");
  }

  @Test
  void progressCountsCellsAndEstimatesTheRest() {
    assertTrue(progress.stream().anyMatch(p -> p.stage().startsWith("autoencoder")));
    assertTrue(progress.stream().anyMatch(p -> p.stage().equals("language model")));
    assertTrue(progress.stream().anyMatch(p -> p.stage().equals("BrierLM")));
    assertEquals(4, progress.get(progress.size() - 1).cellIndex());
    assertTrue(progress.stream().allMatch(p -> p.cellCount() == 4));
    assertTrue(progress.stream().anyMatch(p -> Double.isFinite(p.etaSeconds()) && p.etaSeconds() > 0));
  }

  @Test
  void gridFractionCountsEarlierCellsAndGrowsToTheEnd() {
    // The resumed run starts with one of four cells finished before it, so a quarter is done at once.
    assertEquals(0.25, resumedProgress.get(0).gridFraction(), 1e-12);
    double last = 0;
    for (ExperimentRunner.Progress p : resumedProgress) {
      assertTrue(p.cellFraction() >= 0 && p.cellFraction() <= 1, "cell fraction " + p.cellFraction());
      assertTrue(p.gridFraction() >= last - 1e-12, "never goes back: " + last + " then " + p.gridFraction() + " at " + p);
      last = p.gridFraction();
    }
    assertTrue(last > 0.75 && last <= 1, "the last cell's evaluation: " + last);
    assertTrue(resumedProgress.stream().anyMatch(p -> p.stage().equals("language model") && p.cellFraction() > 0
        && p.cellFraction() < 0.95), "training moves the cell's share");
  }

  @Test
  void stoppedRunResumesOnlyTheUnfinishedCells() throws Exception {
    assertTrue(stopped.stopped());
    assertEquals(1, stopped.rows().size());
    assertEquals(1, finishedBeforeStop.get());
    assertTrue(stoppedAtStep > 0 && stoppedAtStep < 6, "the second cell stopped mid-training with a checkpoint: "
        + stoppedAtStep);
    assertEquals(1, full.skipped());
    assertEquals(3, full.ran());
    assertEquals(List.of("k2-l16-energy-latent-s3", "k4-l16-energy-discrete-s3", "k4-l16-energy-latent-s3"), ranOnResume);
    assertEquals(firstRowBeforeResume, Files.readAllLines(full.out().resolve(ExperimentRunner.RESULTS_JSONL)).get(0),
        "first row kept");

    // The interrupted cell, trained again without a stop in a one-cell experiment: the same weights.
    Path file = dir.resolve("reference.json");
    Files.writeString(file, toyExperiment("{\"patch_sizes\": [2], \"inputs\": [\"latent\"], \"seeds\": [3]}"));
    ExperimentRunner.Result reference = ExperimentRunner.run(new ExperimentRunner.Options(Experiment.read(file),
        dir.resolve("reference"), false), new ExperimentRunner.Listener() {}, TrainControl.NONE);
    CellResult resumed = row(full, "k2-l16-energy-latent-s3");
    Path weights = Path.of(resumed.checkpoint(), "model.safetensors");
    assertEquals(-1, Files.mismatch(full.out().resolve(weights), reference.out().resolve(weights)),
        "the stopped and resumed cell trains exactly the weights of an uninterrupted run");
    assertArrayEquals(row(reference, resumed.cellId()).brier(), resumed.brier(), 1e-12);

    ExperimentRunner.Result again = ExperimentRunner.run(new ExperimentRunner.Options(experiment, full.out(), false),
        new ExperimentRunner.Listener() {}, TrainControl.NONE);
    assertEquals(0, again.ran());
    assertEquals(4, again.skipped());
  }

  @Test
  void resumeWithAChangedGridIsRefusedNamingTheKey() throws Exception {
    Path file = dir.resolve("changed.json");
    Files.writeString(file, toyExperiment("{\"patch_sizes\": [2, 8], \"inputs\": [\"discrete\", \"latent\"], \"seeds\": [3]}"));
    CalmException e = assertThrows(CalmException.class, () -> ExperimentRunner.run(
        new ExperimentRunner.Options(Experiment.read(file), full.out(), false), new ExperimentRunner.Listener() {},
        TrainControl.NONE));
    assertTrue(e.getMessage().contains("grid.patch_sizes") && e.getMessage().contains("--out"), e.getMessage());
  }

  @Test
  void aFolderOfSomethingElseIsNotUsed(@TempDir Path tmp) throws Exception {
    Files.writeString(tmp.resolve("notes.txt"), "mine");
    CalmException e = assertThrows(CalmException.class, () -> ExperimentRunner.run(
        new ExperimentRunner.Options(experiment, tmp, false), new ExperimentRunner.Listener() {}, TrainControl.NONE));
    assertTrue(e.getMessage().contains("not empty"), e.getMessage());
  }

  @Test
  void aFailedCellIsRecordedWithItsErrorAndTheGridGoesOn() throws Exception {
    Path file = dir.resolve("failing.json");
    // beta = 0 passes the setting's range check but not CalmConfig (the energy score needs 0 < beta < 2);
    // the AR baseline has no beta, so only the CALM cell fails.
    Files.writeString(file, toyExperiment("{\"patch_sizes\": [4], \"seeds\": [3], \"include_ar_baseline\": true}")
        .replace("\"target_samples\": 8", "\"target_samples\": 8, \"beta\": 0"));
    Path out = dir.resolve("failing");
    ExperimentRunner.Result r = ExperimentRunner.run(new ExperimentRunner.Options(Experiment.read(file), out, false),
        new ExperimentRunner.Listener() {}, TrainControl.NONE);
    assertEquals(2, r.rows().size());
    CellResult calm = row(r, "k4-l16-energy-discrete-s3");
    assertFalse(calm.ok());
    assertTrue(calm.error().contains("beta"), calm.error());
    assertTrue(Double.isNaN(calm.brierLm()));
    CellResult ar = row(r, "ar-s3");
    assertTrue(ar.ok(), ar.error());
    assertEquals("softmax", ar.cell().head());
    assertEquals(100.0, ar.cell().stepsPer100Tokens());
    assertEquals(0.0, ar.aeTrainFlops());
    assertTrue(ar.brierLm() >= 0 && ar.tokensPerSecond() > 0 && ar.lmTrainFlops() > 0, ar.toJson().toString());
    Map<String, CellResult> recorded = ExperimentRunner.readResults(out);
    assertEquals(CellResult.FAILED, recorded.get(calm.cellId()).status());
    assertEquals(calm.error(), recorded.get(calm.cellId()).error());

    ExperimentRunner.Result skipped = ExperimentRunner.run(new ExperimentRunner.Options(Experiment.read(file), out, false),
        new ExperimentRunner.Listener() {}, TrainControl.NONE);
    assertEquals(0, skipped.ran(), "a failed cell is finished");
    ExperimentRunner.Result retried = ExperimentRunner.run(new ExperimentRunner.Options(Experiment.read(file), out, true),
        new ExperimentRunner.Listener() {}, TrainControl.NONE);
    assertEquals(1, retried.ran(), "--retry-failed runs the failed cell again");
  }

  @Test
  void everyHeadTrainsFromOneSharedLmSectionAndGetsFlopFigures() throws Exception {
    Path file = dir.resolve("heads.json");
    // The toy lm.set has target_samples, an energy-head key that --set refuses for the other heads;
    // a flow budget in FLOPs also needs the flow head's formula.
    Files.writeString(file, toyExperiment("{\"patch_sizes\": [4], \"heads\": [\"energy\", \"flow\", \"diffusion\"],"
        + " \"seeds\": [5]}").replace("\"budget\": {\"steps\": 6,", "\"budget\": {\"flops\": 2e8,")
        .replace("\"target_samples\": 8", "\"target_samples\": 8, \"flow_steps\": 2, \"diffusion_steps\": 3"));
    ExperimentRunner.Result r = ExperimentRunner.run(new ExperimentRunner.Options(Experiment.read(file), dir.resolve("heads"),
        false), new ExperimentRunner.Listener() {}, TrainControl.NONE);
    Map<String, Double> trainFlops = new java.util.HashMap<>();
    Map<String, Double> inferFlops = new java.util.HashMap<>();
    for (String head : List.of("energy", "flow", "diffusion")) {
      CellResult c = row(r, "k4-l16-" + head + "-discrete-s5");
      assertTrue(c.ok(), head + ": " + c.error());
      assertTrue(c.lmTrainFlops() > 0 && Double.isFinite(c.inferFlopsPerToken()), c.toJson().toString());
      // Matched compute: each head trained until its own formula reached the budget (within one step).
      assertTrue(c.lmTrainFlops() >= 2e8 * 0.5 && c.lmTrainFlops() <= 2e8 * 1.6, head + ": " + c.lmTrainFlops());
      trainFlops.put(head, c.lmTrainFlops());
      inferFlops.put(head, c.inferFlopsPerToken());
    }
    // Two midpoint steps (4 evaluations) and three diffusion steps cost more per latent than one energy pass.
    assertTrue(inferFlops.get("flow") > inferFlops.get("energy"), inferFlops.toString());
    assertTrue(inferFlops.get("diffusion") > inferFlops.get("energy"), inferFlops.toString());
  }

  @Test
  void positionsPerStepTrainsEachCellOnItsOwnBatch() throws Exception {
    Path file = dir.resolve("positions.json");
    Files.writeString(file, toyExperiment("{\"patch_sizes\": [2, 4], \"seeds\": [7], \"include_ar_baseline\": true}")
        .replace("\"batch_size\": 4, ", "").replace("\"context_tokens\": 16,", "\"context_tokens\": 16, \"positions_per_step\": 32,")
        .replace("\"steps\": 6,", "\"steps\": 2,"));
    ExperimentRunner.Result r = ExperimentRunner.run(new ExperimentRunner.Options(Experiment.read(file),
        dir.resolve("positions"), false), new ExperimentRunner.Listener() {}, TrainControl.NONE);
    // 32 positions a step: K = 2 reads 8 chunks a sequence (batch 4), K = 4 reads 4 (batch 8), the AR baseline 16 tokens (batch 2).
    for (String id : List.of("k2-l16-energy-discrete-s7", "k4-l16-energy-discrete-s7", "ar-s7")) {
      CellResult c = row(r, id);
      assertTrue(c.ok(), id + ": " + c.error());
      int batch = c.cell().ar() ? 2 : 32 / (16 / c.cell().patchSize());
      assertEquals((long) batch * 16 * c.lmSteps(), c.lmTokensSeen(), id + ": tokens seen = batch x context x steps");
    }
  }

  /** Found by the experiment kill campaign: a runner killed while writing summary.csv left its temp file for good. */
  @Test
  void tempFilesOfARunnerKilledMidWriteAreRemovedWhenTheGridRunsAgain() throws Exception {
    Path out = full.out();
    String results = Files.readString(out.resolve(ExperimentRunner.RESULTS_JSONL));
    List<Path> left = List.of(out.resolve(".summary.csv.14408612892779518071.tmp"), out.resolve(".results.jsonl.7.tmp"));
    for (Path p : left) {
      Files.writeString(p, "half a fi");
    }
    Path notOurs = Files.writeString(out.resolve(".notes.txt.5.tmp"), "someone else's");
    ExperimentRunner.Result again = ExperimentRunner.run(new ExperimentRunner.Options(experiment, out, false),
        new ExperimentRunner.Listener() {}, TrainControl.NONE);
    assertEquals(0, again.ran());
    assertEquals(List.of(false, false), left.stream().map(Files::exists).toList());
    assertTrue(Files.exists(notOurs), "only the grid's own files' temp files go");
    assertEquals(results, Files.readString(out.resolve(ExperimentRunner.RESULTS_JSONL)));
    Files.delete(notOurs);
  }

  /**
   * kill -9 of 'experiment run --jobs N' leaves its workers running until their next step; the next
   * run's worker for the same cell must wait for the orphan, not record the cell as failed because
   * its LM folder is locked (found by reading the code while writing the experiment kill campaign).
   */
  @Test
  void aCellStillHeldByAnOrphanedWorkerIsWaitedForNotFailed() throws Exception {
    Path file = dir.resolve("orphan.json");
    Files.writeString(file, toyExperiment("{\"patch_sizes\": [4], \"seeds\": [11]}"));
    Experiment x = Experiment.read(file);
    Path cellDir = dir.resolve("orphan").resolve(ExperimentRunner.CELLS).resolve(x.cells().get(0).id());
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch waitedFor = new CountDownLatch(1);
    // The orphan: another worker of this grid, mid-way through the cell's LM training (the cell's
    // lock and its LM folder's, as a worker holds them); it stops once the new run waits for it, or
    // after 20 s (without the wait, the new run reaches the LM folder's lock meanwhile and fails).
    Thread orphan = new Thread(() -> {
      try (RunLock cell = RunLock.acquire(cellDir, "experiment cell");
          RunLock lm = RunLock.acquire(cellDir.resolve(ExperimentRunner.LM), "training calm")) {
        holding.countDown();
        waitedFor.await(20, TimeUnit.SECONDS);
        Thread.sleep(300); // its last step and save
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }, "orphaned-worker");
    List<String> stages = new ArrayList<>();
    ExperimentRunner.Result r = ExperimentRunner.run(new ExperimentRunner.Options(x, dir.resolve("orphan"), false),
        new ExperimentRunner.Listener() {
          @Override
          public void onProgress(ExperimentRunner.Progress p) {
            stages.add(p.stage());
            if (p.stage().equals("starting") && orphan.getState() == Thread.State.NEW) {
              try { // and the temp file of a worker killed while writing the cell's result.json
                Files.createDirectories(cellDir);
                Files.writeString(cellDir.resolve(".result.json.3.tmp"), "{\"cell_id\": ");
              } catch (java.io.IOException e) {
                throw new AssertionError(e);
              }
              orphan.start(); // the folder is prepared; the cell is about to start
              try {
                holding.await();
              } catch (InterruptedException e) {
                throw new AssertionError(e);
              }
            } else if (p.stage().startsWith("waiting")) {
              waitedFor.countDown();
            }
          }
        }, TrainControl.NONE);
    orphan.join();
    CellResult row = r.rows().get(0);
    assertTrue(row.ok(), row.error());
    assertTrue(stages.contains("waiting for an earlier worker to stop"), stages.toString());
    assertEquals(6, row.lmSteps());
    assertFalse(Files.exists(cellDir.resolve(".result.json.3.tmp")), "the cell's leftover temp file is gone");
  }

  @Test
  void aStopWhileWaitingForTheCellsHolderLeavesTheCellPending() throws Exception {
    Path file = dir.resolve("orphan-stop.json");
    Files.writeString(file, toyExperiment("{\"patch_sizes\": [4], \"seeds\": [12]}"));
    Experiment x = Experiment.read(file);
    Path out = dir.resolve("orphan-stop");
    Path cellDir = out.resolve(ExperimentRunner.CELLS).resolve(x.cells().get(0).id());
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(1);
    Thread orphan = new Thread(() -> {
      try (RunLock cell = RunLock.acquire(cellDir, "experiment cell")) {
        holding.countDown();
        done.await(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }, "orphan-that-stays");
    Cancellation stop = new Cancellation();
    ExperimentRunner.Result r = ExperimentRunner.run(new ExperimentRunner.Options(x, out, false),
        new ExperimentRunner.Listener() {
          @Override
          public void onProgress(ExperimentRunner.Progress p) {
            if (p.stage().equals("starting") && orphan.getState() == Thread.State.NEW) {
              orphan.start();
              try {
                holding.await();
              } catch (InterruptedException e) {
                throw new AssertionError(e);
              }
            } else if (p.stage().startsWith("waiting")) {
              stop.cancel("the person pressed Stop");
            }
          }
        }, stop::isCancelled);
    done.countDown();
    orphan.join();
    assertTrue(r.stopped());
    assertEquals(0, r.rows().size(), "the cell is not recorded, not as failed either");
    assertTrue(ExperimentRunner.readResults(out).isEmpty());
  }

  static CellResult row(ExperimentRunner.Result r, String id) {
    return r.rows().stream().filter(x -> x.cellId().equals(id)).findFirst().orElseThrow(() -> new AssertionError(id));
  }
}
