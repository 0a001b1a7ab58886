package org.calmworkbench.backend.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import org.calmworkbench.backend.config.Settings;
import org.calmworkbench.backend.eval.Reconstruction;
import org.calmworkbench.backend.io.AtomicFiles;
import org.calmworkbench.backend.io.Safetensors;
import org.calmworkbench.backend.io.SafetensorsFile;
import org.calmworkbench.backend.model.Autoencoder;
import org.calmworkbench.backend.model.AutoencoderConfig;
import org.calmworkbench.backend.model.Weights;

/**
 * Trains the CALM autoencoder: {@code run(request, listener, control) -> Result}, the one entry
 * point the CLI, the GUI service and the tests all call.
 *
 * <p>Reproducible: each step reseeds the engine and the batch sampler from (seed, step), so the same
 * seed gives the same loss curve, and a resumed run continues exactly where it stopped.
 */
public final class AutoencoderTrainer {
  private AutoencoderTrainer() {}

  /** What to train, on what, and where to keep it. */
  public record Request(
      AutoencoderConfig model,
      AeTrainConfig train,
      PatchSampler trainData,
      long[] validPatches, // held-out chunks [N * K] for the periodic accuracy check (may be empty)
      Path out, // the checkpoint folder
      byte[] tokenizerJson, // copied into the checkpoint so it is self-contained
      boolean resume) {}

  /** One progress report; immutable, safe to hand to another thread. */
  public record Progress(
      long step,
      long totalSteps, // 0 if the run is bounded by time only
      double fraction, // of the step or time budget, in [0, 1]
      double loss,
      double ce,
      double kl,
      double tokenAccuracy, // on the training batch (masked input, noisy latent)
      double lr,
      double gradNorm,
      double tokensPerSecond,
      double elapsedSeconds,
      double etaSeconds, // NaN until it can be estimated
      Double validTokenAccuracy, // held-out accuracy at sigma 0, when just measured; else null
      Double validPatchAccuracy) {}

  public interface Listener {
    void onProgress(Progress p);

    default void onCheckpoint(long step, Path dir) {}
  }

  public record Result(
      long steps, long tokensSeen, double tokensPerSecond, double finalLoss, double elapsedSeconds, Path checkpoint,
      String stopReason) {}

  public static final String CONFIG = "config.json";
  public static final String MODEL = "model.safetensors";
  public static final String OPTIMIZER = "optimizer.safetensors";
  public static final String STATE = "trainer_state.json";
  public static final String TOKENIZER = "tokenizer.json";
  public static final String METRICS = "metrics.jsonl";
  static final String KIND = "calm_autoencoder";

  /** Held-out chunks checked at each evaluation (a fixed subset keeps it cheap). */
  static final int VALID_PATCHES = 2048;

  public static Result run(Request r, Listener listener, TrainControl control) throws IOException, InterruptedException {
    AutoencoderConfig cfg = r.model();
    AeTrainConfig tc = r.train();
    int k = cfg.patchSize();
    int batch = tc.batchSize();
    Path out = r.out();
    Files.createDirectories(out);
    CheckpointFiles.recover(out);
    boolean hasCheckpoint = Files.exists(out.resolve(STATE));
    if (r.resume() && !hasCheckpoint) {
      throw new CalmException("--resume: no checkpoint to resume in " + out + " (missing " + STATE + ")");
    }
    if (!r.resume() && hasCheckpoint) {
      throw new CalmException(out + " already holds a checkpoint; pass --resume to continue it, or choose another --out");
    }
    Engine engine = Engine.getEngine("PyTorch");
    engine.setRandomSeed((int) tc.seed());
    long step = 0;
    long tokens = 0;
    double elapsedBefore = 0;
    try (NDManager root = NDManager.newBaseManager()) {
      Autoencoder ae = new Autoencoder(cfg);
      ae.initializeParameters(root);
      AdamW opt = new AdamW(ae.namedParameters(), root, tc.beta1(), tc.beta2(), 1e-8, tc.weightDecay(), tc.gradClip());
      if (r.resume()) {
        AutoencoderConfig saved = AutoencoderConfig.read(out.resolve(CONFIG));
        if (!saved.equals(cfg)) {
          throw new CalmException("--resume: the model settings differ from the checkpoint's " + out.resolve(CONFIG)
              + "; resume without changing the architecture");
        }
        TrainerState st = TrainerState.read(out.resolve(STATE));
        Weights.load(ae, Safetensors.read(out.resolve(MODEL)));
        SafetensorsFile os = Safetensors.read(out.resolve(OPTIMIZER));
        os.requireExactly(opt.stateShapes());
        opt.importState(os.tensors(), st.step());
        step = st.step();
        tokens = st.tokensSeen();
        elapsedBefore = st.elapsedSeconds();
        truncateMetrics(out.resolve(METRICS), step);
      } else {
        Files.deleteIfExists(out.resolve(METRICS));
      }
      long startStep = step;
      long startNanos = System.nanoTime();
      long lastCheckpointNanos = startNanos;
      long lastReportNanos = 0;
      double emaStepSeconds = Double.NaN;
      long stepStart = System.nanoTime();
      long[] ids = new long[batch * k];
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
        if (tc.steps() == 0 && tc.timeLimit() == 0) {
          throw new CalmException("set steps or time_limit (both are 0, so training would never end)");
        }
        if (control.stopRequested()) {
          stopReason = "stopped";
          break;
        }
        control.awaitIfPaused();

        // One step, everything on a sub-manager that is closed at the end (memory stays flat).
        engine.setRandomSeed(stepSeed(tc.seed(), step));
        r.trainData().sample(ids, batch, k, new SplittableRandom(stepSeed(tc.seed(), step)));
        double lossV;
        double ceV;
        double klV;
        double accV;
        double gradNorm;
        double lr = tc.learningRate(step);
        try (NDManager sm = root.newSubManager()) {
          NDArray input = sm.create(ids, new Shape(batch, k)); // [B, K]: one chunk per row
          Autoencoder.Loss loss;
          try (GradientCollector gc = engine.newGradientCollector()) {
            loss = ae.loss(input, null, true);
            gc.backward(loss.total());
          }
          lossV = loss.total().getFloat();
          ceV = loss.ce().getFloat();
          klV = loss.kl().getFloat();
          accV = loss.tokenAccuracy().getFloat();
          if (!Double.isFinite(lossV)) {
            throw invalidLoss("loss", lossV, step, out, startStep);
          }
          gradNorm = opt.update(sm, lr);
          if (!Double.isFinite(gradNorm)) {
            throw invalidLoss("gradient norm", gradNorm, step, out, startStep);
          }
        }
        step++;
        tokens += (long) batch * k;
        lastLoss = lossV;
        long now = System.nanoTime();
        double stepSeconds = (now - stepStart) / 1e9;
        stepStart = now;
        emaStepSeconds = Double.isNaN(emaStepSeconds) ? stepSeconds : 0.9 * emaStepSeconds + 0.1 * stepSeconds;
        elapsed = (now - startNanos) / 1e9;

        Double validTok = null;
        Double validPatch = null;
        if (r.validPatches().length >= k && (step % tc.evalEvery() == 0 || isLast(tc, step, elapsed))) {
          Reconstruction.Level lvl = validate(ae, r.validPatches(), k, tc.seed(), root);
          validTok = lvl.tokenAccuracy();
          validPatch = lvl.patchAccuracy();
        }
        double tps = (step - startStep) * (double) batch * k / Math.max(elapsed, 1e-9);
        double fraction = fraction(tc, step, elapsed);
        double eta = eta(tc, step, elapsed, emaStepSeconds);
        Progress p = new Progress(step, tc.steps(), fraction, lossV, ceV, klV, accV, lr, gradNorm, tps,
            elapsedBefore + elapsed, eta, validTok, validPatch);
        metricLines.add(metricsLine(p));
        if (validTok != null || now - lastReportNanos > 100_000_000L || isLast(tc, step, elapsed)) {
          lastReportNanos = now;
          listener.onProgress(p);
        }
        if ((now - lastCheckpointNanos) / 1e9 >= tc.checkpointEvery()) {
          save(out, ae, opt, cfg, tc, r.tokenizerJson(), step, tokens, elapsedBefore + elapsed, metricLines);
          listener.onCheckpoint(step, out);
          lastCheckpointNanos = System.nanoTime();
        }
      }
      double elapsed = (System.nanoTime() - startNanos) / 1e9;
      if (step > startStep || !hasCheckpoint) {
        save(out, ae, opt, cfg, tc, r.tokenizerJson(), step, tokens, elapsedBefore + elapsed, metricLines);
        listener.onCheckpoint(step, out);
      }
      long trained = (step - startStep) * (long) batch * k;
      return new Result(step, tokens, trained / Math.max(elapsed, 1e-9), lastLoss, elapsed, out, stopReason);
    }
  }

  private static boolean isLast(AeTrainConfig tc, long step, double elapsed) {
    return (tc.steps() > 0 && step >= tc.steps()) || (tc.timeLimit() > 0 && elapsed >= tc.timeLimit());
  }

  static double fraction(AeTrainConfig tc, long step, double elapsed) {
    double f = 0;
    if (tc.steps() > 0) {
      f = Math.max(f, (double) step / tc.steps());
    }
    if (tc.timeLimit() > 0) {
      f = Math.max(f, elapsed / tc.timeLimit());
    }
    return Math.min(1, f);
  }

  static double eta(AeTrainConfig tc, long step, double elapsed, double stepSeconds) {
    double eta = Double.POSITIVE_INFINITY;
    if (tc.steps() > 0 && !Double.isNaN(stepSeconds)) {
      eta = Math.max(0, tc.steps() - step) * stepSeconds;
    }
    if (tc.timeLimit() > 0) {
      eta = Math.min(eta, Math.max(0, tc.timeLimit() - elapsed));
    }
    return Double.isInfinite(eta) ? Double.NaN : eta;
  }

  /** Held-out accuracy at sigma 0 on a fixed subset of chunks. */
  static Reconstruction.Level validate(Autoencoder ae, long[] valid, int k, long seed, NDManager root) {
    int n = Math.min(valid.length / k, VALID_PATCHES);
    long[] subset = java.util.Arrays.copyOf(valid, n * k);
    return Reconstruction.run(ae, subset, new double[] {0}, Reconstruction.Mode.MEAN, seed, 0, root, null).levels().get(0);
  }

  static int stepSeed(long seed, long step) {
    long z = seed * 0x9E3779B97F4A7C15L + step * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 31)) * 0x94D049BB133111EBL;
    return (int) (z ^ (z >>> 29)) & 0x7fffffff;
  }

  private static CalmException invalidLoss(String what, double value, long step, Path out, long startStep) {
    String kept = Files.exists(out.resolve(STATE))
        ? "the last good checkpoint in " + out + " is intact; resume with --resume, perhaps with a lower lr"
        : "no checkpoint was written yet";
    return new CalmException("training stopped: the " + what + " became " + value + " at step " + (step + 1) + "; " + kept);
  }

  static String metricsLine(Progress p) {
    JsonObject o = new JsonObject();
    o.addProperty("step", p.step());
    o.addProperty("loss", p.loss());
    o.addProperty("ce", p.ce());
    o.addProperty("kl", p.kl());
    o.addProperty("token_accuracy", p.tokenAccuracy());
    o.addProperty("lr", p.lr());
    o.addProperty("grad_norm", p.gradNorm());
    o.addProperty("elapsed_seconds", p.elapsedSeconds());
    if (p.validTokenAccuracy() != null) {
      o.addProperty("valid_token_accuracy", p.validTokenAccuracy());
      o.addProperty("valid_patch_accuracy", p.validPatchAccuracy());
    }
    return o.toString();
  }

  /** Saves weights, optimizer, state and the metrics so far as one transaction. */
  static void save(Path out, Autoencoder ae, AdamW opt, AutoencoderConfig cfg, AeTrainConfig tc, byte[] tokenizerJson,
      long step, long tokens, double elapsed, List<String> pendingMetrics) throws IOException {
    appendMetrics(out.resolve(METRICS), pendingMetrics);
    pendingMetrics.clear();
    Map<String, String> meta = Map.of("step", Long.toString(step), "format", "calm-workbench");
    Map<String, CheckpointFiles.FileWriter> files = new LinkedHashMap<>();
    files.put(CONFIG, CheckpointFiles.bytes(cfg.toJson().toString().getBytes(StandardCharsets.UTF_8)));
    files.put(MODEL, f -> Safetensors.write(f, Weights.export(ae), meta));
    files.put(OPTIMIZER, f -> Safetensors.write(f, opt.exportState(), meta));
    if (tokenizerJson != null) {
      files.put(TOKENIZER, CheckpointFiles.bytes(tokenizerJson));
    }
    TrainerState st = new TrainerState(KIND, step, tokens, elapsed, Settings.toJson(tc.toMap()));
    files.put(STATE, CheckpointFiles.bytes(st.toJson().toString().getBytes(StandardCharsets.UTF_8)));
    CheckpointFiles.commit(out, files);
  }

  private static void appendMetrics(Path file, List<String> lines) throws IOException {
    if (lines.isEmpty()) {
      return;
    }
    Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  /** Drops metric rows after {@code step}, written by a run that was killed before its next save. */
  static void truncateMetrics(Path file, long step) throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    List<String> keep = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      try {
        if (com.google.gson.JsonParser.parseString(line).getAsJsonObject().get("step").getAsLong() <= step) {
          keep.add(line);
        }
      } catch (RuntimeException e) {
        // a torn last line from a kill: drop it
      }
    }
    AtomicFiles.writeString(file, keep.isEmpty() ? "" : String.join("\n", keep) + "\n");
  }
}
