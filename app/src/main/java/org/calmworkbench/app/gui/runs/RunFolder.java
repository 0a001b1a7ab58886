package org.calmworkbench.app.gui.runs;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.calmworkbench.app.gui.common.Checkpoints;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.interop.HfTrainerRun;
import org.calmworkbench.backend.io.JsonFiles;
import org.calmworkbench.backend.model.ModelType;
import org.calmworkbench.backend.train.MetricsLog;
import org.calmworkbench.backend.train.TrainerState;
import org.calmworkbench.backend.train.TrainingLoop;

/**
 * The training runs of a project as the trainers leave them: {@code PROJECT/runs/NAME/} with
 * {@code config.json} (its {@code model_type} says AE, CALM or AR), {@code trainer_state.json} (step,
 * tokens seen) and {@code metrics.jsonl} (read by the backend's {@link MetricsLog}, which writes it);
 * or a Hugging Face Trainer output folder of the official code ({@link HfTrainerRun}: a run trained
 * on a cluster from {@code calm export torchrun}), whose log_history becomes the same rows.
 * No JavaFX here: the Runs page's view model, {@code calm runs list} and tests read runs through this class.
 */
public final class RunFolder {
  private RunFolder() {}

  public static final String AE = "AE";
  public static final String CALM = "CALM";
  public static final String AR = "AR";

  /** Where a run was trained: by the workbench, or by Hugging Face's Trainer (the official code). */
  public static final String WORKBENCH = "workbench";
  public static final String HF_TRAINER = "hf-trainer";

  /**
   * One run folder, read. {@code finalLoss} and {@code brierLm} are NaN when never measured; the
   * training FLOPs of each row are its {@link MetricsLog#TRAIN_FLOPS}, as the trainer counted them.
   * {@code checkpoints} are a Trainer run's checkpoint-N folders (empty for a workbench run, which
   * is its own checkpoint).
   */
  public record Run(Path dir, String type, long steps, double finalLoss, double brierLm, Instant date,
      List<MetricsLog.Row> rows, String source, List<Path> checkpoints) {
    public String name() {
      return dir.getFileName().toString();
    }

    /** Every metric recorded in any row, in first-seen order (step excluded). */
    public List<String> metrics() {
      Set<String> keys = new LinkedHashSet<>();
      rows.forEach(r -> keys.addAll(r.values().keySet()));
      return List.copyOf(keys);
    }

    @Override
    public String toString() {
      return type + " " + name();
    }
  }

  /** How the workbench names a model type. */
  public static String typeOf(ModelType modelType) {
    return modelType.isCalm() ? CALM : modelType == ModelType.AR ? AR : AE;
  }

  /**
   * The run folders under {@code PROJECT/runs/}: folders with a {@code config.json}, sorted by name
   * (which starts with the kind and the start time). Folders still without a first checkpoint have
   * no config.json yet and are not listed.
   */
  public static List<Path> runDirs(Path projectFolder) throws IOException {
    Path runs = projectFolder.resolve(Checkpoints.RUNS);
    if (!Files.isDirectory(runs)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(runs)) {
      return dirs.filter(d -> Files.isRegularFile(d.resolve(TrainingLoop.CONFIG)) || HfTrainerRun.isTrainerOutput(d))
          .sorted().toList();
    }
  }

  /**
   * Reads one run. Returns null for a folder that is not a training run (another model type).
   *
   * @throws CalmException naming the file (and line) when config.json or metrics.jsonl is malformed
   */
  public static Run read(Path dir) {
    if (HfTrainerRun.isTrainerOutput(dir)) {
      return readTrainerOutput(dir);
    }
    Path configFile = dir.resolve(TrainingLoop.CONFIG);
    JsonObject config = JsonFiles.readObject(configFile);
    ModelType modelType;
    try {
      modelType = ModelType.of(config, configFile.toString());
    } catch (CalmException e) {
      return null; // no or another model_type: not a run of this workbench
    }
    String type = typeOf(modelType);
    List<MetricsLog.Row> rows = MetricsLog.read(dir.resolve(TrainingLoop.METRICS));
    Path stateFile = dir.resolve(TrainingLoop.STATE);
    long steps = rows.isEmpty() ? 0 : rows.get(rows.size() - 1).step();
    if (Files.isRegularFile(stateFile)) {
      steps = TrainerState.readIfOurs(stateFile).map(TrainerState::step).orElse(steps);
    }
    double loss = rows.isEmpty() ? Double.NaN : rows.get(rows.size() - 1).get("loss");
    double brier = last(rows, "brier_lm");
    Instant date;
    try {
      date = Files.getLastModifiedTime(Files.isRegularFile(stateFile) ? stateFile : configFile).toInstant();
    } catch (IOException e) {
      throw new CalmException("cannot read " + configFile + ": " + e.getMessage(), e);
    }
    return new Run(dir, type, steps, loss, brier, date, rows, WORKBENCH, List.of());
  }

  /** A Hugging Face Trainer output folder: the official model_type "autoencoder" is AE, a head is CALM. */
  private static Run readTrainerOutput(Path dir) {
    HfTrainerRun run = HfTrainerRun.read(dir);
    List<MetricsLog.Row> rows = run.rows();
    return new Run(dir, run.isAutoencoder() ? AE : CALM, run.globalStep(), last(rows, "loss"), last(rows, "brier_lm"),
        run.date(), rows, HF_TRAINER, run.checkpoints().stream().map(HfTrainerRun.Checkpoint::dir).toList());
  }

  /** The last value of {@code key} in {@code rows}, NaN when never recorded. */
  private static double last(List<MetricsLog.Row> rows, String key) {
    for (int i = rows.size() - 1; i >= 0; i--) {
      if (!Double.isNaN(rows.get(i).get(key))) {
        return rows.get(i).get(key);
      }
    }
    return Double.NaN;
  }
}
