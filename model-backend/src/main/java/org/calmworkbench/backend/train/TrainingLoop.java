package org.calmworkbench.backend.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.StorageException;
import org.calmworkbench.backend.config.Settings;
import org.calmworkbench.backend.device.ComputeDevice;
import org.calmworkbench.backend.io.Safetensors;
import org.calmworkbench.backend.io.SafetensorsFile;
import org.calmworkbench.backend.model.ModelType;

/**
 * The one training loop every model shares (autoencoder, CALM, AR baseline): seeding, AdamW with
 * warmup and clipping, NaN guard, progress with ETA, periodic evaluation, transactional
 * checkpoints, stop/pause, and exact resume. A {@link Task} supplies what is model-specific.
 *
 * <p>Reproducible: each step reseeds the engine and the batch RNG from (seed, step), so the same
 * seed gives the same loss curve and a resumed run continues exactly where it stopped.
 */
public final class TrainingLoop {
  private TrainingLoop() {}

  public static final String MODEL = "model.safetensors";
  public static final String CONFIG = "config.json";
  public static final String OPTIMIZER = "optimizer.safetensors";
  public static final String STATE = "trainer_state.json";
  public static final String METRICS = "metrics.jsonl";

  /** What one kind of model contributes to the loop. */
  public interface Task {
    /** Written into trainer_state.json as its kind; a resume of another type is refused. */
    ModelType modelType();

    /** The trainable parameters under their checkpoint names (frozen parts excluded). */
    Map<String, Parameter> parameters();

    /** Tokens consumed by one step (for tokens/s). */
    long tokensPerStep();

    /**
     * Training FLOPs per token by the documented formula of {@link
     * org.calmworkbench.backend.bench.Flops}; NaN if not counted. metrics.jsonl then carries a
     * cumulative {@code train_flops} per line, so runs can be compared against compute.
     */
    default double trainingFlopsPerToken() {
      return Double.NaN;
    }

    /**
     * Forward and backward on one batch, all arrays on {@code sm}. Returns the loss first, then any
     * other terms worth charting; the loop checks the loss is finite and applies the update.
     */
    StepMetrics trainStep(NDManager sm, long step, SplittableRandom rng) throws IOException;

    /** Held-out metrics, e.g. accuracy or BrierLM; empty if there is nothing to measure. */
    Map<String, Double> evaluate(NDManager root, long step);

    /** The model's own checkpoint files (weights, config, tokenizer...), under their file names. */
    Map<String, CheckpointFiles.FileWriter> modelFiles(Map<String, String> metadata);

    /** Loads the weights of a checkpoint in {@code dir} before resuming. */
    void loadWeights(Path dir);

    /**
     * A held-out metric, higher is better, whose best value so far is kept as a loadable checkpoint
     * in {@code OUT/best/} (as Hugging Face Trainer's {@code load_best_model_at_end} keeps the best
     * model); empty: no best checkpoint. Only for tasks whose {@link #modelFiles} are a complete
     * checkpoint on their own.
     */
    default java.util.Optional<String> bestMetric() {
      return java.util.Optional.empty();
    }
  }

  /** Folder inside a run that holds the best checkpoint by {@link Task#bestMetric()}. */
  public static final String BEST = "best";

  /** File in {@link #BEST} naming the step and the metric value it was kept for. */
  public static final String BEST_INFO = "best.json";

  /** The loss and named terms of one step. */
  public record StepMetrics(double loss, Map<String, Double> terms) {}

  /** One progress report; immutable, safe to hand to another thread. */
  public record Progress(
      long step,
      long totalSteps, // 0 if the run is bounded by time only
      double fraction, // of the step or time budget, in [0, 1]
      double loss,
      Map<String, Double> terms, // loss terms of this step (e.g. ce, kl, token_accuracy)
      double lr,
      double gradNorm,
      double tokensPerSecond,
      double elapsedSeconds,
      double etaSeconds, // NaN until it can be estimated
      double trainFlops, // training FLOPs up to this step (metrics.jsonl's train_flops); NaN if not counted
      Map<String, Double> eval) { // held-out metrics measured at this step; empty otherwise

    public double term(String name) {
      return terms.getOrDefault(name, Double.NaN);
    }

    public Double evalMetric(String name) {
      return eval.get(name);
    }
  }

  public interface Listener {
    void onProgress(Progress p);

    /** A stage before or around the steps ("tokenizing the corpus", ...), with its fraction in [0, 1]. */
    default void onStage(String stage, double fraction) {}

    default void onCheckpoint(long step, Path dir) {}
  }

  public record Result(
      long steps, long tokensSeen, double tokensPerSecond, double finalLoss, double elapsedSeconds, Path checkpoint,
      String stopReason) {}

  public static Result run(Task task, TrainConfig tc, Path out, boolean resume, Listener listener, TrainControl control)
      throws IOException, InterruptedException {
    // One writer per folder; taken before recover(), which would otherwise finish or discard
    // another writer's save in progress.
    try (RunLock lock = RunLock.acquire(out, "training " + task.modelType().key())) {
      return runLocked(task, tc, out, resume, listener, control, lock);
    } catch (IOException e) { // not a save (those say more); e.g. cutting metrics.jsonl back on a full disk
      throw StorageException.during("training into " + out, e);
    }
  }

  private static Result runLocked(Task task, TrainConfig tc, Path out, boolean resume, Listener listener,
      TrainControl control, RunLock lock) throws IOException, InterruptedException {
    CheckpointFiles.recover(out);
    boolean hasCheckpoint = Files.exists(out.resolve(STATE));
    if (resume && !hasCheckpoint) {
      throw new CalmException("--resume: no checkpoint to resume in " + out + " (missing " + STATE + ")");
    }
    if (!resume && hasCheckpoint) {
      throw new CalmException(out + " already holds a checkpoint; pass --resume to continue it, or choose another --out");
    }
    TrainConfig.checkBudget(tc.steps(), tc.timeLimit());
    Engine engine = Engine.getEngine("PyTorch");
    long step = 0;
    long tokens = 0;
    double elapsedBefore = 0;
    try (NDManager root = NDManager.newBaseManager(ComputeDevice.device())) {
      Map<String, Parameter> params = task.parameters();
      AdamW opt = new AdamW(params, root, tc.beta1(), tc.beta2(), 1e-8, tc.weightDecay(), tc.gradClip());
      if (resume) {
        TrainerState st = TrainerState.read(out.resolve(STATE));
        if (!task.modelType().isSavedAs(st.kind())) {
          throw new CalmException("--resume: " + out + " holds a " + st.kind() + " checkpoint, not a "
              + task.modelType().key() + " one");
        }
        task.loadWeights(out);
        SafetensorsFile os = Safetensors.read(out.resolve(OPTIMIZER));
        os.requireExactly(opt.stateShapes());
        opt.importState(os.tensors(), st.step());
        step = st.step();
        tokens = st.tokensSeen();
        elapsedBefore = st.elapsedSeconds();
        MetricsLog.truncate(out.resolve(METRICS), step);
      } else {
        Files.deleteIfExists(out.resolve(METRICS));
      }
      long startStep = step;
      double best = resume ? bestSoFar(out) : Double.NEGATIVE_INFINITY;
      long startNanos = System.nanoTime();
      long lastCheckpointNanos = startNanos;
      long lastReportNanos = 0;
      long stepStart = startNanos;
      double emaStepSeconds = Double.NaN;
      double lastLoss = Double.NaN;
      String stopReason;
      List<String> metricLines = new ArrayList<>();
      while (true) {
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        if (tc.steps() > 0 && step >= tc.steps()) {
          stopReason = "steps";
          break;
        }
        if (tc.timeLimit() > 0 && elapsed >= tc.timeLimit()) {
          stopReason = "time_limit";
          break;
        }
        if (control.stopRequested()) {
          stopReason = "stopped";
          break;
        }
        control.awaitIfPaused();
        if (control.stopRequested()) {
          stopReason = "stopped";
          break;
        }

        // One step, everything on a sub-manager that is closed at the end (memory stays flat).
        engine.setRandomSeed(stepSeed(tc.seed(), step));
        SplittableRandom rng = new SplittableRandom(stepSeed(tc.seed(), step));
        double lr = tc.learningRate(step);
        StepMetrics m;
        double gradNorm;
        try (NDManager sm = root.newSubManager()) {
          // NaN guard: the loss, then every gradient (before the update touches the weights), then
          // every weight after it; the run stops at the step where a NaN or infinity first appears,
          // naming the tensor, and the last checkpoint on disk stays the good one.
          m = task.trainStep(sm, step, rng);
          faultHook.afterBackward(step, params);
          if (!Double.isFinite(m.loss())) {
            throw invalid("the loss became " + m.loss() + nonFiniteTerms(m) + " (largest weight: "
                + NumericFaults.largestWeight(sm, params) + ")", step, out);
          }
          gradNorm = opt.update(sm, lr);
          if (!Double.isFinite(gradNorm)) {
            NumericFaults.Fault f = opt.nonFiniteGradient();
            throw invalid(f == null ? "the gradient norm became " + gradNorm
                : "the gradient of " + f.tensor() + " became " + f.value(), step, out);
          }
          faultHook.afterUpdate(step, params);
          if (!NumericFaults.weightsFinite(sm, params)) {
            NumericFaults.Fault f = NumericFaults.firstNonFiniteWeight(sm, params);
            throw invalid(f == null ? "the sum of the weights overflowed after the update"
                : "the weight " + f.tensor() + " became " + f.value() + " after the update", step, out);
          }
        }
        step++;
        tokens += task.tokensPerStep();
        lastLoss = m.loss();
        long now = System.nanoTime();
        double stepSeconds = (now - stepStart) / 1e9;
        stepStart = now;
        emaStepSeconds = Double.isNaN(emaStepSeconds) ? stepSeconds : 0.9 * emaStepSeconds + 0.1 * stepSeconds;
        elapsed = (now - startNanos) / 1e9;

        boolean last = isLast(tc, step, elapsed) || control.stopRequested();
        Map<String, Double> eval = Map.of();
        if (step % tc.evalEvery() == 0 || last) {
          eval = task.evaluate(root, step);
          Double value = task.bestMetric().map(eval::get).orElse(null);
          if (value != null && value > best) {
            best = value;
            long at = step;
            saving(out, lock, step, () -> saveBest(out, task, at, task.bestMetric().get(), value));
          }
          // An evaluation's tensors are much larger than a step's; once freed, glibc keeps them in
          // fragmented arenas and RSS creeps up evaluation after evaluation (see NativeMemory).
          NativeMemory.trim();
          now = System.nanoTime();
          stepStart = now; // evaluation time is not a training step
        }
        double tps = (step - startStep) * (double) task.tokensPerStep() / Math.max(elapsed, 1e-9);
        Progress p = new Progress(step, tc.steps(), fraction(tc, step, elapsed), m.loss(), m.terms(), lr, gradNorm, tps,
            elapsedBefore + elapsed, eta(tc, step, elapsed, emaStepSeconds), tokens * task.trainingFlopsPerToken(), eval);
        metricLines.add(MetricsLog.line(p));
        if (!eval.isEmpty() || now - lastReportNanos > 100_000_000L || last) {
          lastReportNanos = now;
          listener.onProgress(p);
        }
        if ((now - lastCheckpointNanos) / 1e9 >= tc.checkpointEvery()) {
          long at = step;
          long tokensAt = tokens;
          double seconds = elapsedBefore + elapsed;
          saving(out, lock, step, () -> save(out, task, opt, tc, at, tokensAt, seconds, metricLines));
          NativeMemory.trim(); // the weight and optimizer buffers written out
          listener.onCheckpoint(step, out);
          lastCheckpointNanos = System.nanoTime();
        }
      }
      double elapsed = (System.nanoTime() - startNanos) / 1e9;
      if (step > startStep || !hasCheckpoint) {
        long at = step;
        long tokensAt = tokens;
        double seconds = elapsedBefore + elapsed;
        saving(out, lock, step, () -> save(out, task, opt, tc, at, tokensAt, seconds, metricLines));
        listener.onCheckpoint(step, out);
      }
      double trained = (step - startStep) * (double) task.tokensPerStep();
      return new Result(step, tokens, trained / Math.max(elapsed, 1e-9), lastLoss, elapsed, out, stopReason);
    }
  }

  private static boolean isLast(TrainConfig tc, long step, double elapsed) {
    return (tc.steps() > 0 && step >= tc.steps()) || (tc.timeLimit() > 0 && elapsed >= tc.timeLimit());
  }

  static double fraction(TrainConfig tc, long step, double elapsed) {
    double f = 0;
    if (tc.steps() > 0) {
      f = Math.max(f, (double) step / tc.steps());
    }
    if (tc.timeLimit() > 0) {
      f = Math.max(f, elapsed / tc.timeLimit());
    }
    return Math.min(1, f);
  }

  static double eta(TrainConfig tc, long step, double elapsed, double stepSeconds) {
    double eta = Double.POSITIVE_INFINITY;
    if (tc.steps() > 0 && !Double.isNaN(stepSeconds)) {
      eta = Math.max(0, tc.steps() - step) * stepSeconds;
    }
    if (tc.timeLimit() > 0) {
      eta = Math.min(eta, Math.max(0, tc.timeLimit() - elapsed));
    }
    return Double.isInfinite(eta) ? Double.NaN : eta;
  }

  static int stepSeed(long seed, long step) {
    long z = seed * 0x9E3779B97F4A7C15L + step * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 31)) * 0x94D049BB133111EBL;
    return (int) (z ^ (z >>> 29)) & 0x7fffffff;
  }

  private static CalmException invalid(String what, long step, Path out) {
    String kept = keptCheckpoint(out, step, "resume with --resume, perhaps with a lower lr");
    return new CalmException("training stopped at step " + (step + 1) + ": " + what + "; " + kept);
  }

  /** "the last good checkpoint in OUT (step M) is intact; ADVICE", or "no checkpoint was written yet". */
  private static String keptCheckpoint(Path out, long step, String advice) {
    if (!Files.exists(out.resolve(STATE))) {
      return "no checkpoint was written yet";
    }
    long at = step;
    try {
      at = TrainerState.read(out.resolve(STATE)).step();
    } catch (RuntimeException e) {
      // the message still stands without the step
    }
    return "the last good checkpoint in " + out + " (step " + at + ") is intact; " + advice;
  }

  /** A save: {@link #save} or {@link #saveBest}. */
  private interface Save {
    void run() throws IOException;
  }

  /**
   * Runs a save of the checkpoint of {@code step}, first checking that OUT is still the folder this
   * run locked. When the file system refuses it (a full disk, a folder made read-only), the save
   * has left nothing behind ({@link #save}) and the run stops with one line naming the folder, the
   * reason and the checkpoint that is kept.
   */
  private static void saving(Path out, RunLock lock, long step, Save save) throws IOException {
    lock.requireInPlace();
    try {
      save.run();
    } catch (IOException | CalmException e) {
      IOException io = StorageException.ioCause(e);
      if (io == null || e instanceof StorageException) {
        throw e;
      }
      lock.requireInPlace(); // the folder deleted or moved during the save: say so, not "file not found"
      throw new StorageException("cannot save the checkpoint of step " + step + " in " + out + ": "
          + StorageException.reasonAndFile(io) + "; nothing of it was left behind, and "
          + keptCheckpoint(out, step, "free some space or make the folder writable, then resume with --resume"), e);
    }
  }

  /** " (non-finite terms: kl, ce)" for the terms of a step that are NaN or infinite; empty if none. */
  private static String nonFiniteTerms(StepMetrics m) {
    List<String> bad = m.terms().entrySet().stream().filter(e -> !Double.isFinite(e.getValue()))
        .map(Map.Entry::getKey).toList();
    return bad.isEmpty() ? "" : " (non-finite terms: " + String.join(", ", bad) + ")";
  }

  /** Test hook: corrupts a gradient or a weight at a chosen step, to check the NaN guard names it. */
  interface FaultHook {
    FaultHook NONE = new FaultHook() {};

    default void afterBackward(long step, Map<String, Parameter> params) {}

    default void afterUpdate(long step, Map<String, Parameter> params) {}
  }

  static volatile FaultHook faultHook = FaultHook.NONE;

  /** Weights, optimizer, state and the metrics so far, as one transaction. */
  static void save(Path out, Task task, AdamW opt, TrainConfig tc, long step, long tokens, double elapsed,
      List<String> pendingMetrics) throws IOException {
    // The metrics go first, so a checkpoint never lacks the lines of its steps; a save that fails
    // before it commits cuts them back off (a full disk must not leave a torn last line either).
    // Through one channel, which follows the file if the folder is moved during the save.
    Path metrics = out.resolve(METRICS);
    boolean existed = Files.exists(metrics);
    try (FileChannel log = FileChannel.open(metrics, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      long length = log.size();
      try {
        MetricsLog.append(log, pendingMetrics);
        commit(out, task, opt, tc, step, tokens, elapsed);
      } catch (IOException | RuntimeException | Error e) {
        if (!CheckpointFiles.committed(out)) {
          MetricsLog.cutBack(log, length, e);
          if (!existed) {
            Files.deleteIfExists(metrics); // a first save: no empty file left either
          }
        }
        throw e;
      }
    }
    pendingMetrics.clear();
  }

  private static void commit(Path out, Task task, AdamW opt, TrainConfig tc, long step, long tokens, double elapsed)
      throws IOException {
    Map<String, String> meta = Map.of("step", Long.toString(step), "format", "calm-workbench");
    Map<String, CheckpointFiles.FileWriter> files = new LinkedHashMap<>(task.modelFiles(meta));
    files.put(OPTIMIZER, f -> Safetensors.write(f, opt.exportState(), meta));
    TrainerState st = new TrainerState(task.modelType().key(), step, tokens, elapsed, Settings.toJson(tc.toMap()));
    JsonObject state = st.toJson();
    state.addProperty("device", ComputeDevice.current().name()); // where this run last trained (metadata only)
    files.put(STATE, CheckpointFiles.bytes(state.toString().getBytes(StandardCharsets.UTF_8)));
    CheckpointFiles.commit(out, files);
  }

  /** The model files of {@code step} as a complete checkpoint in OUT/best, with best.json. */
  static void saveBest(Path out, Task task, long step, String metric, double value) throws IOException {
    Map<String, String> meta = Map.of("step", Long.toString(step), "format", "calm-workbench");
    Map<String, CheckpointFiles.FileWriter> files = new LinkedHashMap<>(task.modelFiles(meta));
    JsonObject info = new JsonObject();
    info.addProperty("step", step);
    info.addProperty("metric", metric);
    info.addProperty("value", value);
    files.put(BEST_INFO, CheckpointFiles.bytes(info.toString().getBytes(StandardCharsets.UTF_8)));
    CheckpointFiles.commit(out.resolve(BEST), files);
  }

  /** The metric value of OUT/best, or -infinity when there is none (or it is unreadable). */
  static double bestSoFar(Path out) {
    Path f = out.resolve(BEST).resolve(BEST_INFO);
    try {
      return Files.isRegularFile(f)
          ? com.google.gson.JsonParser.parseString(Files.readString(f)).getAsJsonObject().get("value").getAsDouble()
          : Double.NEGATIVE_INFINITY;
    } catch (IOException | RuntimeException e) {
      return Double.NEGATIVE_INFINITY;
    }
  }
}
