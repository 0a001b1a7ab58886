package org.calmworkbench.backend.experiment;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.StorageException;
import org.calmworkbench.backend.bench.Flops;
import org.calmworkbench.backend.config.Setting;
import org.calmworkbench.backend.config.Settings;
import org.calmworkbench.backend.data.TokenIds;
import org.calmworkbench.backend.data.TokenizedCorpus;
import org.calmworkbench.backend.eval.ArBrier;
import org.calmworkbench.backend.eval.BrierResult;
import org.calmworkbench.backend.eval.CalmBrier;
import org.calmworkbench.backend.generate.ArGenerator;
import org.calmworkbench.backend.generate.CalmGenerator;
import org.calmworkbench.backend.io.AtomicFiles;
import org.calmworkbench.backend.model.ArConfig;
import org.calmworkbench.backend.model.AutoencoderConfig;
import org.calmworkbench.backend.model.CalmConfig;
import org.calmworkbench.backend.model.HeadType;
import org.calmworkbench.backend.tokenizer.ByteLevelBpeTokenizer;
import org.calmworkbench.backend.tokenizer.Tokenizer;
import org.calmworkbench.backend.tokenizer.Tokenizers;
import org.calmworkbench.backend.train.ArCheckpoint;
import org.calmworkbench.backend.train.ArTrainer;
import org.calmworkbench.backend.train.CalmCheckpoint;
import org.calmworkbench.backend.train.CheckpointFiles;
import org.calmworkbench.backend.train.LmPresets;
import org.calmworkbench.backend.train.LmSettings;
import org.calmworkbench.backend.train.TrainConfig;
import org.calmworkbench.backend.train.TrainControl;
import org.calmworkbench.backend.train.TrainerState;
import org.calmworkbench.backend.train.RunLock;
import org.calmworkbench.backend.train.TrainingLoop;
import org.calmworkbench.backend.workflow.AeTraining;
import org.calmworkbench.backend.workflow.ArTraining;
import org.calmworkbench.backend.workflow.Corpora;
import org.calmworkbench.backend.workflow.LmEvaluation;
import org.calmworkbench.backend.workflow.LmTraining;
import org.calmworkbench.csv.Csv;

/**
 * {@code calm experiment run}: expands an {@link Experiment}'s grid into cells and runs each one
 * through the same workflows as the single commands: the autoencoder ({@link AeTraining}, once
 * per K, latent size and seed, shared by the heads and inputs), the language model ({@link
 * LmTraining}, or {@link ArTraining} for the baseline), BrierLM on the held-out split, and a short
 * generation run for tokens/s.
 *
 * <pre>
 *   DIR/experiment.json            what the results mean (checked on resume)
 *   DIR/tokenizer.json             one tokenizer for every cell
 *   DIR/autoencoders/k4-l16-s42/   autoencoder checkpoints
 *   DIR/cells/&lt;cell-id&gt;/lm/        language-model checkpoints (run folders)
 *   DIR/results.jsonl              one line per finished cell (rewritten atomically)
 *   DIR/results.csv, summary.csv   the same rows, and mean +- std over seeds
 * </pre>
 *
 * <p>Resume: running again with the same DIR skips the finished cells (ok or failed; failed ones
 * again with {@link Options#retryFailed()}) and continues an interrupted training from its last
 * checkpoint. A stop request ends the current training at its next step (it saves a checkpoint)
 * and returns with {@link Result#stopped()}; the cell is not recorded. A file-system failure (a
 * full disk: {@link StorageException}) stops the grid the same way instead of failing the cell.
 *
 * <p>Parallel cells ({@link Options#jobs()} &gt; 1): the cells are grouped by the autoencoder they
 * share (the AR baseline alone), and up to {@code jobs} groups run at once, each in its own worker
 * process ({@link ParallelCells}; {@code calm experiment worker}). Processes, not threads: the
 * engine's random generator is global to a process, and each training seeds it per step, so a cell
 * gives the same numbers whichever process runs it and whatever runs beside it. A worker writes its
 * rows to {@code DIR/cells/<id>/result.json}; this process gathers them into results.jsonl.
 */
public final class ExperimentRunner {
  private ExperimentRunner() {}

  public static final String EXPERIMENT_COPY = "experiment.json";
  public static final String RESULTS_JSONL = "results.jsonl";
  public static final String RESULTS_CSV = "results.csv";
  public static final String SUMMARY_CSV = "summary.csv";
  public static final String TOKENIZER = "tokenizer.json";
  public static final String CELLS = "cells";
  public static final String AUTOENCODERS = "autoencoders";
  /** The checkpoint folder inside a cell's folder. */
  public static final String LM = "lm";

  /** Generation runs per cell at most when end-of-text cuts them short of the token target. */
  static final int MAX_GENERATION_RUNS = 8;

  /**
   * @param jobs cell groups run at once, each in a worker process; 1 runs every cell in this process
   * @param workers starts the worker processes; needed when {@code jobs > 1}
   */
  public record Options(Experiment experiment, Path out, boolean retryFailed, int jobs, WorkerLauncher workers) {
    public Options {
      if (jobs < 1) {
        throw new CalmException("jobs must be at least 1, got " + jobs);
      }
      if (jobs > 1 && workers == null) {
        throw new IllegalArgumentException("jobs > 1 needs a WorkerLauncher");
      }
    }

    /** Every cell in this process, one after another. */
    public Options(Experiment experiment, Path out, boolean retryFailed) {
      this(experiment, out, retryFailed, 1, null);
    }
  }

  /** Starts {@code calm experiment worker} processes (the app knows its own command line). */
  public interface WorkerLauncher {
    /**
     * A process builder for a worker that runs {@code cellIds} of {@code experimentFile} into
     * {@code out} with {@code threads} intra-op threads; its stdout carries {@link WorkerEvents}
     * lines. The caller sets the redirects.
     */
    ProcessBuilder worker(Path experimentFile, Path out, List<String> cellIds, int threads);
  }

  /** Present in the experiment folder while the parent's job is paused: workers hold between steps. */
  public static final String PAUSED = ".paused";

  /**
   * How long a cell waits for another process that holds it: a worker left running by a runner that
   * was killed (kill -9 leaves the workers) stops at its next training step or evaluation stage once
   * it sees its parent gone, but a step of a large model on a loaded machine can take minutes. Each
   * cell is locked ({@code cells/<id>/.lock}) for all of its work, evaluation included.
   */
  static final java.time.Duration ORPHAN_PATIENCE = java.time.Duration.ofMinutes(10);

  /** The file a worker writes a finished cell's row to, inside the cell's folder. */
  public static final String CELL_RESULT = "result.json";

  /**
   * Where the grid stands; immutable, safe to hand to another thread.
   *
   * @param cellIndex 1-based position of the current cell in the whole grid
   * @param stage what runs now ("autoencoder", "language model", "BrierLM", "generation", ...)
   * @param stageFraction of the stage, in [0, 1] (training: of its budget)
   * @param cellFraction of the current cell, in [0, 1] (the rough split of {@code report}: 30%
   *     autoencoder when the cell trains one, the rest language model, the last 5% evaluation)
   * @param finishedCells cells with a row in results.jsonl (this run and earlier ones)
   * @param etaSeconds for the cells left in this run; NaN until it can be estimated
   * @param running every cell running now (one, or several with parallel cells; the fields above
   *     then describe the first, except {@code cellFraction}, their sum); empty before the first
   */
  public record Progress(int cellIndex, int cellCount, String cellId, String stage, double stageFraction,
      double cellFraction, int finishedCells, double elapsedSeconds, double etaSeconds, List<Running> running) {
    public Progress {
      running = List.copyOf(running);
    }

    /** Fraction of the whole grid done, in [0, 1]: finished cells plus the running cells' shares. */
    public double gridFraction() {
      return cellCount == 0 ? 1 : Math.min(1, (finishedCells + cellFraction) / cellCount);
    }

    /**
     * Where the grid stands, in words: {@code cell 2/5 k4-l32-energy-discrete-s1: language model 40%},
     * {@code cells k1-… (language model 40%), ar-s1 (AR baseline 12%)} with parallel cells, or the
     * stage alone before a cell starts.
     */
    public String where() {
      if (running.isEmpty()) {
        return stage;
      }
      if (running.size() == 1) {
        Running r = running.get(0);
        return String.format(Locale.ROOT, "cell %d/%d %s: %s %.0f%%", cellIndex, cellCount, r.cellId(), r.stage(),
            100 * r.stageFraction());
      }
      StringBuilder b = new StringBuilder("cells ");
      for (int i = 0; i < running.size(); i++) {
        Running r = running.get(i);
        b.append(i == 0 ? "" : ", ").append(r.cellId())
            .append(String.format(Locale.ROOT, " (%s %.0f%%)", r.stage(), 100 * r.stageFraction()));
      }
      return b.toString();
    }

    /** How far running cell {@code id} is, in [0, 1]; NaN when it is not running. */
    public double fractionOf(String id) {
      for (Running r : running) {
        if (r.cellId().equals(id)) {
          return r.cellFraction();
        }
      }
      return Double.NaN;
    }
  }

  /** A cell running now: its stage, how far the stage is and how far the cell is (both in [0, 1]). */
  public record Running(String cellId, String stage, double stageFraction, double cellFraction) {}

  public interface Listener {
    default void onProgress(Progress p) {}

    /** A cell finished (ok or failed); its row is already in results.jsonl. */
    default void onCellFinished(CellResult row, int finishedCells, int cellCount) {}

    default void onWarning(String warning) {}
  }

  /**
   * @param rows every finished cell, in grid order
   * @param ran cells finished by this call
   * @param skipped cells already finished before this call
   * @param stopped a stop request ended the run before the grid was done
   */
  public record Result(Path out, List<CellResult> rows, List<SummaryRow> summary, int cellCount, int ran, int skipped,
      boolean stopped) {}

  /** A stop request seen in the middle of a cell: the cell is left for the next run. */
  private static final class Stopped extends Exception {
    Stopped() {
      super(null, null, false, false);
    }
  }

  public static Result run(Options o, Listener listener, TrainControl control) throws IOException, InterruptedException {
    // One writer per grid folder (each cell's training also locks its own folder).
    try (RunLock lock = RunLock.acquire(o.out(), "experiment run")) {
      return new Run(o, listener, control, false).run();
    }
  }

  /**
   * The worker side of parallel cells ({@code calm experiment worker}): runs {@code cellIds} in
   * this process, in order, and writes each finished row to {@code DIR/cells/<id>/result.json}
   * (the parent holds the grid's lock and writes results.jsonl). Stops when {@code control} asks
   * or when the parent process is gone.
   *
   * @return the rows finished here
   */
  public static List<CellResult> runWorker(Experiment x, Path out, List<String> cellIds, Listener listener,
      TrainControl control) throws IOException, InterruptedException {
    if (!Files.isRegularFile(out.resolve(EXPERIMENT_COPY)) || !Files.isRegularFile(out.resolve(TOKENIZER))) {
      throw new CalmException(out + " is not a prepared experiment folder (no " + EXPERIMENT_COPY + " or " + TOKENIZER
          + "); workers are started by 'calm experiment run --jobs N'");
    }
    Map<String, ExperimentCell> byId = new LinkedHashMap<>();
    x.cells().forEach(c -> byId.put(c.id(), c));
    List<ExperimentCell> mine = new ArrayList<>();
    for (String id : cellIds) {
      ExperimentCell c = byId.get(id);
      if (c == null) {
        throw new CalmException("no cell '" + id + "' in " + x.file() + "; its cells are " + String.join(", ", byId.keySet()));
      }
      mine.add(c);
    }
    ProcessHandle parent = ProcessHandle.current().parent().orElse(null);
    TrainControl orOrphaned = new TrainControl() {
      @Override
      public boolean stopRequested() {
        return control.stopRequested() || parent != null && !parent.isAlive();
      }

      @Override
      public void awaitIfPaused() throws InterruptedException {
        control.awaitIfPaused();
        while (Files.exists(out.resolve(PAUSED)) && !stopRequested()) { // the parent's job is paused
          Thread.sleep(100);
        }
      }
    };
    Run run = new Run(new Options(x, out, false), listener, orOrphaned, true);
    return run.runCells(mine);
  }

  /** The row a worker wrote for {@code cellId}, or null when there is none (yet). */
  static CellResult readCellResult(Path out, String cellId) throws IOException {
    Path file = out.resolve(CELLS).resolve(cellId).resolve(CELL_RESULT);
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      return CellResult.fromJson(JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject());
    } catch (RuntimeException e) {
      throw new CalmException(file + " is not a result row (" + e.getMessage() + "); delete it to run the cell again");
    }
  }

  /** The finished rows recorded in {@code dir/results.jsonl}, by cell id (empty if there is none). */
  public static Map<String, CellResult> readResults(Path dir) throws IOException {
    Map<String, CellResult> out = new LinkedHashMap<>();
    Path file = dir.resolve(RESULTS_JSONL);
    if (!Files.isRegularFile(file)) {
      return out;
    }
    int n = 0;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      n++;
      if (line.isBlank()) {
        continue;
      }
      try {
        CellResult r = CellResult.fromJson(JsonParser.parseString(line).getAsJsonObject());
        out.put(r.cellId(), r);
      } catch (RuntimeException e) {
        throw new CalmException(file + " line " + n + " is not a result row (" + e.getMessage() + "); delete the line"
            + " to run that cell again");
      }
    }
    return out;
  }

  private static final class Run {
    private final Experiment x;
    private final Path out;
    private final boolean retryFailed;
    private final Listener listener;
    private final TrainControl control;
    private final int jobs;
    private final WorkerLauncher workers;
    private final boolean worker;
    private final List<ExperimentCell> cells;
    private final Map<String, CellResult> rows;
    private final Map<String, String> aeFailures = new LinkedHashMap<>();
    private final long start = System.nanoTime();
    private int todo;
    private int doneThisRun;
    private int cellIndex;
    private String cellId = "";
    private double cellFraction;
    private boolean aeTrainedInCell;
    private Path tokenizerFile;
    private Tokenizer tokenizer;
    private TokenIds heldOut;

    Run(Options o, Listener listener, TrainControl control, boolean worker) throws IOException {
      this.x = o.experiment();
      this.out = o.out();
      this.retryFailed = o.retryFailed();
      this.listener = listener;
      this.control = control;
      this.jobs = o.jobs();
      this.workers = o.workers();
      this.worker = worker;
      this.cells = x.cells();
      if (worker) {
        this.rows = new LinkedHashMap<>();
      } else {
        prepareFolder();
        for (String f : List.of(RESULTS_JSONL, RESULTS_CSV, SUMMARY_CSV)) { // a runner killed while writing them
          AtomicFiles.deleteLeftovers(out.resolve(f));
        }
        this.rows = readResults(out);
      }
    }

    Result run() throws IOException, InterruptedException {
      List<ExperimentCell> pending = new ArrayList<>();
      for (ExperimentCell c : cells) {
        CellResult r = rows.get(c.id());
        if (r == null) {
          pending.add(c);
        } else if (!r.ok() && retryFailed) {
          rows.remove(c.id());
          AtomicFiles.deleteTree(out.resolve(CELLS).resolve(c.id()));
          pending.add(c);
        }
      }
      int skipped = cells.size() - pending.size();
      todo = pending.size();
      boolean stopped;
      if (jobs > 1 && pending.size() > 1) {
        prepareTokenizer();
        ParallelCells.Outcome p = new ParallelCells(x, out, jobs, workers, listener, control, cells, rows.size(),
            this::recordRow).run(pending);
        stopped = p.stopped();
      } else {
        stopped = runCells(pending).size() < pending.size() && control.stopRequested();
      }
      writeResults();
      List<CellResult> ordered = ordered();
      return new Result(out, ordered, SummaryRow.of(ordered), cells.size(), doneThisRun, skipped, stopped);
    }

    /** A finished row: kept, written (results.jsonl, or the cell's result.json in a worker) and announced. */
    private void recordRow(CellResult row) throws IOException {
      rows.put(row.cellId(), row);
      doneThisRun++;
      if (worker) {
        Path dir = out.resolve(CELLS).resolve(row.cellId());
        Files.createDirectories(dir);
        AtomicFiles.writeString(dir.resolve(CELL_RESULT), row.toJson().toString() + "\n");
      } else {
        writeResults();
      }
      listener.onCellFinished(row, rows.size(), cells.size());
    }

    /** Runs {@code pending} here, one after another, until done or stopped; returns the rows finished. */
    List<CellResult> runCells(List<ExperimentCell> pending) throws IOException, InterruptedException {
      todo = pending.size();
      List<CellResult> finished = new ArrayList<>();
      try {
        if (!pending.isEmpty()) {
          prepareData();
        }
        for (ExperimentCell c : pending) {
          if (control.stopRequested()) {
            break;
          }
          cellIndex = cells.indexOf(c) + 1;
          cellId = c.id();
          cellFraction = 0;
          aeTrainedInCell = false;
          report("starting", 0);
          CellResult row;
          long t0 = System.nanoTime();
          try (RunLock cell = RunLock.acquireWhenFree(out.resolve(CELLS).resolve(c.id()), "experiment cell " + c.id(),
              ORPHAN_PATIENCE, () -> report("waiting for an earlier worker to stop", 0), control::stopRequested)) {
            AtomicFiles.deleteLeftovers(out.resolve(CELLS).resolve(c.id()).resolve(CELL_RESULT)); // a worker killed writing it
            row = c.ar() ? runAr(c) : runCalm(c);
          } catch (Stopped s) {
            break;
          } catch (StorageException e) {
            throw e; // a full disk is not the cell's result: the grid stops, the cell stays to run on resume
          } catch (IOException e) {
            throw StorageException.during("the cell " + c.id() + " in " + out, e);
          } catch (RunLock.InUse e) {
            if (control.stopRequested()) {
              break; // stopped while it waited for the cell's holder: the cell stays pending
            }
            row = CellResult.failed(c, e.getMessage(), seconds(t0));
          } catch (CalmException e) {
            row = CellResult.failed(c, e.getMessage(), seconds(t0));
          } catch (RuntimeException e) {
            row = CellResult.failed(c, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()),
                seconds(t0));
          }
          recordRow(row);
          finished.add(row);
        }
      } finally {
        closeTokenizer();
      }
      return finished;
    }

    // -- folder, tokenizer, held-out text -------------------------------------------------------

    /** Creates DIR, or checks that it belongs to this experiment (same meaning). */
    private void prepareFolder() throws IOException {
      Path copy = out.resolve(EXPERIMENT_COPY);
      if (Files.isRegularFile(copy)) {
        JsonObject saved;
        try {
          saved = JsonParser.parseString(Files.readString(copy)).getAsJsonObject();
        } catch (RuntimeException e) {
          throw new CalmException(copy + " is not valid JSON; it records what the results in " + out + " mean");
        }
        JsonElement meaning = saved.get("meaning");
        String diff = meaning == null ? "meaning" : difference(meaning, x.meaning(), "");
        if (diff != null) {
          throw new CalmException(out + " holds the results of a different experiment: " + diff + " differs between "
              + x.file() + " and " + copy + ". Run it with another --out, or restore the file to resume");
        }
        return;
      }
      if (Files.isDirectory(out)) {
        try (Stream<Path> s = Files.list(out)) {
          if (s.anyMatch(f -> !f.getFileName().toString().equals(RunLock.FILE))) { // our own lock aside
            throw new CalmException(out + " is not empty and holds no " + EXPERIMENT_COPY + "; choose a new --out for"
                + " the experiment");
          }
        }
      }
      Files.createDirectories(out);
      JsonObject o = new JsonObject();
      o.addProperty("format", 1);
      o.addProperty("name", x.name());
      o.addProperty("description", x.description());
      o.addProperty("source", x.file().toAbsolutePath().toString());
      o.add("meaning", x.meaning());
      AtomicFiles.writeString(copy, o.toString() + "\n");
    }

    /** The tokenizer (trained once, or copied), and the held-out split BrierLM is scored on. */
    private void prepareData() throws IOException {
      prepareTokenizer();
      tokenizer = Tokenizers.load(tokenizerFile);
      report("tokenizing the corpus", 0);
      TokenizedCorpus corpus = Corpora.tokenize(x.corpus(), tokenizer, Files.readAllBytes(tokenizerFile),
          Corpora.DEFAULT_SPLIT_SEED, (done, total) -> report("tokenizing the corpus", total == 0 ? 1 : (double) done / total));
      corpus.warnings().forEach(listener::onWarning);
      heldOut = corpus.validation();
    }

    /** DIR/tokenizer.json: trained on the corpus once (or copied from the file's tokenizer.path). */
    private void prepareTokenizer() throws IOException {
      tokenizerFile = out.resolve(TOKENIZER);
      if (!Files.isRegularFile(tokenizerFile)) {
        if (x.tokenizer().path() != null) {
          AtomicFiles.writeBytes(tokenizerFile, Files.readAllBytes(Tokenizers.resolve(x.tokenizer().path())));
        } else {
          report("training a " + x.tokenizer().vocabSize() + "-token tokenizer", 0);
          ByteLevelBpeTokenizer bpe = AeTraining.trainTokenizer(x.corpus(), x.tokenizer().vocabSize());
          Tokenizers.save(bpe, out);
        }
      }
    }

    private void closeTokenizer() {
      if (tokenizer instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          // native tokenizer memory; nothing useful to do on failure
        }
      }
    }

    // -- CALM cells ------------------------------------------------------------------------------

    private record AeInfo(Path dir, AutoencoderConfig config, double trainFlops, double seconds) {}

    private CellResult runCalm(ExperimentCell c) throws IOException, InterruptedException, Stopped {
      AeInfo ae = autoencoder(c);
      long t0 = System.nanoTime();
      Path lmDir = out.resolve(CELLS).resolve(c.id()).resolve(LM);
      // The file's lm.set is shared by every head: keys of another head (target_samples for a flow cell) are left out.
      List<String> sets = lmSets(c, LmTraining.settableKeys(HeadType.parse(c.head(), "head")));
      Map<String, Number> ov = Settings.parseOverrides(sets, LmTraining.settableKeys());
      LmPresets.Preset preset = LmPresets.get(x.lm().preset());
      AutoencoderConfig a = ae.config();
      CalmConfig model = preset.calmConfig(a.vocabSize(), a.patchSize(), a.latentSize(), HeadType.parse(c.head(), "head"))
          .with(ov);
      TrainConfig train = preset.train().with(ov);
      LmSettings lm = preset.lm().with(ov);
      double flopsPerToken = Flops.calmTrainingPerToken(model, a, c.input());
      long tokensPerStep = (long) train.batchSize() * lm.contextChunks() * a.patchSize();
      Budget budget = budget(lmDir, flopsPerToken, tokensPerStep);
      if (budget.train()) {
        boolean resume = hasCheckpoint(lmDir);
        List<String> runSets = resume ? withoutKeys(sets, CalmConfig.SETTINGS) : sets;
        report("language model", 0);
        TrainingLoop.Result r = LmTraining.run(new LmTraining.Options(ae.dir(), x.corpus(), lmDir, c.head(), c.input(),
            x.lm().preset(), runSets, budget.steps(), budget.timeLimit(), c.seed(), resume), trainingListener("language model"),
            control);
        if ("stopped".equals(r.stopReason())) {
          throw new Stopped();
        }
      }
      TrainerState state = TrainerState.read(lmDir.resolve(TrainingLoop.STATE));
      stopCheck();
      long tEval = System.nanoTime();
      BrierResult brier;
      double tps;
      double infer;
      try (CalmCheckpoint ck = CalmCheckpoint.load(lmDir)) {
        infer = Flops.calmInferencePerToken(ck.config(), a, ck.model().inputMode());
        int p = ck.contextChunks().orElse(LmEvaluation.DEFAULT_CONTEXT_CHUNKS);
        report("BrierLM", 0);
        brier = CalmBrier.evaluate(ck.model(), ck.autoencoder(), heldOut, p, x.evaluation().positions(), c.seed(),
            ck.manager());
        stopCheck();
        report("generation", 0);
        tps = calmTokensPerSecond(ck, c.seed());
      }
      double wall = state.elapsedSeconds() + seconds(tEval);
      return new CellResult(c.id(), CellResult.OK, null, c, brier.brierLm(), brier.brierLmStandardError(), brier.brier(),
          brier.patches(), ae.trainFlops(), flopsPerToken * state.tokensSeen(), infer, tps, state.step(),
          state.tokensSeen(), wall, ae.seconds(), out.relativize(lmDir).toString());
    }

    /** The cell's autoencoder: trained to budget.autoencoder_steps once per (K, L, seed), then reused. */
    private AeInfo autoencoder(ExperimentCell c) throws IOException, InterruptedException, Stopped {
      String id = c.autoencoderId();
      if (aeFailures.containsKey(id)) {
        throw new CalmException("the autoencoder " + id + " failed: " + aeFailures.get(id));
      }
      Path dir = out.resolve(AUTOENCODERS).resolve(id);
      int steps = x.budget().autoencoderSteps();
      try {
        boolean resume = hasCheckpoint(dir);
        if (!resume || TrainerState.read(dir.resolve(TrainingLoop.STATE)).step() < steps) {
          aeTrainedInCell = true;
          List<String> sets = new ArrayList<>(x.autoencoder().assignments());
          sets.add("patch_size=" + c.patchSize());
          sets.add("latent_size=" + c.latentSize());
          if (resume) {
            sets = withoutKeys(sets, AutoencoderConfig.SETTINGS);
          }
          report("autoencoder " + id, 0);
          TrainingLoop.Result r = AeTraining.run(new AeTraining.Options(x.corpus(), dir, tokenizerFile,
              x.tokenizer().vocabSize(), x.autoencoder().preset(), sets, steps, null, c.seed(), resume),
              trainingListener("autoencoder " + id), control);
          if ("stopped".equals(r.stopReason())) {
            throw new Stopped();
          }
        }
      } catch (StorageException e) {
        throw e;
      } catch (CalmException e) {
        aeFailures.put(id, e.getMessage());
        throw new CalmException("the autoencoder " + id + " failed: " + e.getMessage(), e);
      }
      AutoencoderConfig config = AutoencoderConfig.read(dir.resolve(TrainingLoop.CONFIG));
      TrainerState state = TrainerState.read(dir.resolve(TrainingLoop.STATE));
      return new AeInfo(dir, config, Flops.autoencoderTrainingPerToken(config) * state.tokensSeen(), state.elapsedSeconds());
    }

    private double calmTokensPerSecond(CalmCheckpoint ck, long seed) throws Stopped {
      int target = x.evaluation().generationTokens();
      CalmGenerator.run(ck, CalmGenerator.Options.of("").withMaxTokens(1).withSeed(seed), CalmGenerator.Listener.NONE,
          control::stopRequested); // untimed warm-up: the first call of the cache code paths is slow
      long tokens = 0;
      double secs = 0;
      for (int i = 0; i < MAX_GENERATION_RUNS && tokens < target; i++) {
        CalmGenerator.Result g = CalmGenerator.run(ck,
            CalmGenerator.Options.of("").withMaxTokens((int) (target - tokens)).withSeed(seed + i),
            CalmGenerator.Listener.NONE, control::stopRequested);
        tokens += g.tokens();
        secs += g.elapsedSeconds();
        report("generation", Math.min(1, (double) tokens / target));
        stopCheck();
      }
      return tokens > 0 ? tokens / secs : Double.NaN;
    }

    // -- AR baseline -----------------------------------------------------------------------------

    private CellResult runAr(ExperimentCell c) throws IOException, InterruptedException, Stopped {
      Path dir = out.resolve(CELLS).resolve(c.id()).resolve(LM);
      List<String> sets = lmSets(c, ArTraining.settableKeys());
      Map<String, Number> ov = Settings.parseOverrides(sets, ArTraining.settableKeys());
      LmPresets.Preset preset = LmPresets.get(x.lm().preset());
      ArConfig model = ArTraining.fromPreset(preset, tokenizer.vocabSize()).with(ov);
      TrainConfig train = preset.train().with(ov);
      LmSettings lm = preset.lm().with(ov);
      double flopsPerToken = Flops.arTrainingPerToken(model.backbone());
      long tokensPerStep = (long) train.batchSize() * ArTrainer.contextTokens(lm);
      Budget budget = budget(dir, flopsPerToken, tokensPerStep);
      if (budget.train()) {
        boolean resume = hasCheckpoint(dir);
        List<String> runSets = resume ? withoutKeys(sets, ArConfig.SETTINGS) : sets;
        report("AR baseline", 0);
        TrainingLoop.Result r = ArTraining.run(new ArTraining.Options(tokenizerFile, x.corpus(), dir, x.lm().preset(),
            runSets, budget.steps(), budget.timeLimit(), c.seed(), resume), trainingListener("AR baseline"), control);
        if ("stopped".equals(r.stopReason())) {
          throw new Stopped();
        }
      }
      TrainerState state = TrainerState.read(dir.resolve(TrainingLoop.STATE));
      stopCheck();
      long tEval = System.nanoTime();
      BrierResult brier;
      double tps;
      double infer;
      try (ArCheckpoint ck = ArCheckpoint.load(dir)) {
        infer = Flops.arInferencePerToken(ck.config().backbone());
        int p = ck.contextChunks().orElse(LmEvaluation.DEFAULT_CONTEXT_CHUNKS);
        int k = ArTrainer.REFERENCE_PATCH_SIZE;
        report("BrierLM", 0);
        brier = ArBrier.evaluate(ck.model(), heldOut, p * k, k, x.evaluation().positions(), c.seed(), ck.manager()).sampled();
        stopCheck();
        report("generation", 0);
        tps = arTokensPerSecond(ck, c.seed());
      }
      double wall = state.elapsedSeconds() + seconds(tEval);
      return new CellResult(c.id(), CellResult.OK, null, c, brier.brierLm(), brier.brierLmStandardError(), brier.brier(),
          brier.patches(), 0, flopsPerToken * state.tokensSeen(), infer, tps, state.step(), state.tokensSeen(), wall, 0,
          out.relativize(dir).toString());
    }

    private double arTokensPerSecond(ArCheckpoint ck, long seed) throws Stopped {
      int target = x.evaluation().generationTokens();
      ArGenerator.run(ck, ArGenerator.Options.of("").withMaxTokens(1).withSeed(seed), e -> {}, control::stopRequested);
      long tokens = 0;
      double secs = 0;
      for (int i = 0; i < MAX_GENERATION_RUNS && tokens < target; i++) {
        ArGenerator.Result g = ArGenerator.run(ck,
            ArGenerator.Options.of("").withMaxTokens((int) (target - tokens)).withSeed(seed + i), e -> {},
            control::stopRequested);
        tokens += g.tokens().length;
        secs += g.elapsedSeconds();
        report("generation", Math.min(1, (double) tokens / target));
        stopCheck();
      }
      return tokens > 0 ? tokens / secs : Double.NaN;
    }

    // -- shared helpers --------------------------------------------------------------------------

    /** What one LM training call gets: a step count or a time limit (null: not given). */
    private record Budget(boolean train, Integer steps, Double timeLimit) {}

    /**
     * The LM budget of a cell as steps or a time limit. FLOPs become steps by the formula (rounded,
     * at least 1); minutes become a time limit, minus the training time of an interrupted earlier run.
     */
    private Budget budget(Path lmDir, double flopsPerToken, long tokensPerStep) throws IOException {
      Experiment.Budget b = x.budget();
      return switch (b.kind()) {
        case STEPS -> new Budget(true, (int) b.value(), null);
        case FLOPS -> {
          yield new Budget(true, (int) Math.max(1, Math.min(Integer.MAX_VALUE,
              Math.round(b.value() / (flopsPerToken * tokensPerStep)))), null);
        }
        case MINUTES -> {
          double left = b.value() * 60;
          if (hasCheckpoint(lmDir)) {
            left -= TrainerState.read(lmDir.resolve(TrainingLoop.STATE)).elapsedSeconds();
          }
          yield new Budget(left > 0, 0, left);
        }
      };
    }

    /**
     * The LM {@code set} overrides a cell trains with: the experiment's, filtered to {@code keys}
     * (the AR baseline has no head settings), the context from lm.context_tokens, the batch from
     * lm.positions_per_step, and no BrierLM
     * during training unless asked for (the runner measures it once at the end).
     */
    private List<String> lmSets(ExperimentCell c, List<Setting> keys) {
      Set<String> valid = Settings.index(keys).keySet();
      List<String> sets = new ArrayList<>();
      x.lm().set().forEach((k, v) -> {
        if (valid.contains(k)) {
          sets.add(k + "=" + v);
        }
      });
      if (x.contextTokens() != null) {
        int k = c.ar() ? ArTrainer.REFERENCE_PATCH_SIZE : c.patchSize();
        sets.add("context_chunks=" + x.contextTokens() / k);
      }
      x.batchSize(c).ifPresent(b -> sets.add("batch_size=" + b));
      if (!x.lm().set().containsKey("eval_positions")) {
        sets.add("eval_positions=0");
      }
      return sets;
    }

    /** A resume may not restate architecture keys (the workflows refuse); the checkpoint has them. */
    private static List<String> withoutKeys(List<String> sets, List<Setting> model) {
      Set<String> drop = Settings.index(model).keySet();
      return sets.stream().filter(s -> !drop.contains(s.substring(0, s.indexOf('=')))).toList();
    }

    private static boolean hasCheckpoint(Path dir) throws IOException {
      if (!Files.isDirectory(dir)) {
        return false;
      }
      CheckpointFiles.recoverUnlessWritten(dir); // finish or discard a save a kill interrupted
      return Files.isRegularFile(dir.resolve(TrainingLoop.STATE));
    }

    private AeTraining.Listener trainingListener(String stage) {
      return new AeTraining.Listener() {
        @Override
        public void onProgress(TrainingLoop.Progress p) {
          report(stage, p.fraction());
        }

        @Override
        public void onStage(String s, double fraction) {
          report(stage + ": " + s, fraction);
        }

        @Override
        public void onWarning(String warning) {
          listener.onWarning(warning);
        }
      };
    }

    private void stopCheck() throws Stopped {
      if (control.stopRequested()) {
        throw new Stopped();
      }
    }

    /**
     * Reports the stage; the ETA counts cells of this run, a cell's progress being 30% autoencoder
     * (when it trains one) and the rest language model, with 5% for evaluation (a rough split).
     */
    private void report(String stage, double fraction) {
      double f = Math.max(0, Math.min(1, fraction));
      if (stage.contains(":")) {
        // a sub-stage before training (tokenizing): the cell's share does not move
      } else if (stage.startsWith("autoencoder")) {
        cellFraction = 0.3 * f;
      } else if (stage.startsWith("language model") || stage.startsWith("AR baseline")) {
        cellFraction = aeTrainedInCell ? 0.3 + 0.65 * f : 0.95 * f;
      } else if (stage.equals("BrierLM") || stage.equals("generation")) {
        cellFraction = Math.max(cellFraction, 0.95);
      }
      double elapsed = seconds(start);
      double done = doneThisRun + cellFraction;
      double eta = done > 0.02 ? elapsed / done * Math.max(0, todo - done) : Double.NaN;
      List<Running> now = cellIndex == 0 ? List.of() : List.of(new Running(cellId, stage, f, cellFraction));
      listener.onProgress(new Progress(cellIndex, cells.size(), cellId, stage, f, cellFraction, rows.size(), elapsed, eta,
          now));
    }

    private List<CellResult> ordered() {
      List<CellResult> list = new ArrayList<>();
      for (ExperimentCell c : cells) {
        CellResult r = rows.get(c.id());
        if (r != null) {
          list.add(r);
        }
      }
      return list;
    }

    /** results.jsonl, results.csv and summary.csv, each rewritten atomically. */
    private void writeResults() throws IOException {
      List<CellResult> list = ordered();
      StringBuilder jsonl = new StringBuilder();
      StringBuilder csv = new StringBuilder(Csv.line(CellResult.COLUMNS));
      for (CellResult r : list) {
        jsonl.append(r.toJson()).append('\n');
        csv.append(Csv.line(r.values().values()));
      }
      StringBuilder summary = new StringBuilder(Csv.line(SummaryRow.COLUMNS));
      for (SummaryRow s : SummaryRow.of(list)) {
        summary.append(Csv.line(s.values().values()));
      }
      AtomicFiles.writeString(out.resolve(RESULTS_JSONL), jsonl.toString());
      AtomicFiles.writeString(out.resolve(RESULTS_CSV), csv.toString());
      AtomicFiles.writeString(out.resolve(SUMMARY_CSV), summary.toString());
    }
  }

  /** The first key path where two JSON values differ ({@code "grid.patch_sizes"}), or null if equal. */
  static String difference(JsonElement a, JsonElement b, String path) {
    if (a.isJsonObject() && b.isJsonObject()) {
      JsonObject x = a.getAsJsonObject();
      JsonObject y = b.getAsJsonObject();
      List<String> keys = new ArrayList<>(x.keySet());
      y.keySet().stream().filter(k -> !x.has(k)).forEach(keys::add);
      for (String k : keys) {
        String p = path.isEmpty() ? k : path + "." + k;
        if (!x.has(k) || !y.has(k)) {
          return p;
        }
        String d = difference(x.get(k), y.get(k), p);
        if (d != null) {
          return d;
        }
      }
      return null;
    }
    return a.equals(b) ? null : path.isEmpty() ? "the file" : path;
  }

  static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

}
