package org.calmworkbench.backend.project;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.interop.HfTrainerRun;
import org.calmworkbench.backend.io.JsonFiles;
import org.calmworkbench.backend.model.ModelType;
import org.calmworkbench.backend.train.CheckpointWeights;
import org.calmworkbench.backend.train.MetricsLog;
import org.calmworkbench.backend.train.TrainerState;
import org.calmworkbench.backend.train.TrainingLoop;

/**
 * The one place that finds and reads what is in a project's {@code runs/} folder, for every page,
 * command and test:
 *
 * <ul>
 *   <li>checkpoints to load ({@link #autoencoders}, {@link #calm}, {@link #ar}): folders with a
 *       config.json of the wanted {@link ModelType} and weights (model.safetensors, or the official
 *       code's pytorch_model.bin);
 *   <li>runs to compare ({@link #runDirs}, {@link #read}): {@code runs/NAME/} with config.json (its
 *       model_type says AE, CALM or AR), trainer_state.json (step, tokens seen) and metrics.jsonl (read
 *       by {@link MetricsLog}, which writes it); or a Hugging Face Trainer output folder of the official
 *       code ({@link HfTrainerRun}), whose log_history becomes the same rows.
 * </ul>
 */
public final class RunStore {
  private RunStore() {}

  public static final String AE = "AE";
  public static final String CALM = "CALM";
  public static final String AR = "AR";

  /** Where a run was trained: by the workbench, or by Hugging Face's Trainer (the official code). */
  public static final String WORKBENCH = "workbench";
  public static final String HF_TRAINER = "hf-trainer";

  /**
   * One checkpoint folder; {@code step} is -1 when it has no trainer state of ours (an imported model).
   * A Hugging Face Trainer's {@code checkpoint-N/} is named with its run ("calm-run/checkpoint-400")
   * and has step N.
   */
  public record Checkpoint(Path dir, long step, FileTime modified) {
    public String name() {
      String own = dir.getFileName().toString();
      Path parent = dir.getParent();
      return HfTrainerRun.isCheckpointFolder(dir) && parent != null && parent.getFileName() != null
          ? parent.getFileName() + "/" + own : own;
    }

    /** "name  (step N, yyyy-MM-dd HH:mm)", as a checkpoint picker lists it. */
    @Override
    public String toString() {
      String when = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").format(modified.toInstant().atZone(ZoneId.systemDefault()));
      return name() + (step >= 0 ? "  (step " + step + ", " + when + ")" : "  (" + when + ")");
    }
  }

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

  /** Autoencoder checkpoints under {@code project/runs/}, newest first (the official "autoencoder" type too). */
  public static List<Checkpoint> autoencoders(Path projectFolder) {
    return checkpoints(projectFolder, t -> t == ModelType.AUTOENCODER);
  }

  /** CALM checkpoints (any head) under {@code project/runs/}, newest first. */
  public static List<Checkpoint> calm(Path projectFolder) {
    return checkpoints(projectFolder, ModelType::isCalm);
  }

  /** AR baseline checkpoints under {@code project/runs/}, newest first. */
  public static List<Checkpoint> ar(Path projectFolder) {
    return checkpoints(projectFolder, t -> t == ModelType.AR);
  }

  /**
   * The complete checkpoints under {@code project/runs/} whose type {@code modelType} accepts, newest
   * (by the weights' time) first. An unreadable runs folder lists as empty: the pages still work.
   */
  public static List<Checkpoint> checkpoints(Path projectFolder, Predicate<ModelType> modelType) {
    return scan(projectFolder).stream().filter(t -> modelType.test(t.type())).map(Typed::checkpoint).toList();
  }

  /**
   * Every complete checkpoint of the project by kind, from one pass over {@code project/runs/} (each
   * config.json read once), each list newest first: what the pages show, read where the saving job
   * runs rather than once per page on the UI thread.
   */
  public record Listing(List<Checkpoint> autoencoders, List<Checkpoint> calm, List<Checkpoint> ar) {
    public static final Listing EMPTY = new Listing(List.of(), List.of(), List.of());
  }

  /** {@link Listing} of {@code projectFolder}. */
  public static Listing listing(Path projectFolder) {
    List<Typed> all = scan(projectFolder);
    return new Listing(
        all.stream().filter(t -> t.type() == ModelType.AUTOENCODER).map(Typed::checkpoint).toList(),
        all.stream().filter(t -> t.type().isCalm()).map(Typed::checkpoint).toList(),
        all.stream().filter(t -> t.type() == ModelType.AR).map(Typed::checkpoint).toList());
  }

  private record Typed(Checkpoint checkpoint, ModelType type) {}

  /** Every complete checkpoint under {@code project/runs/} with its type, newest first. */
  private static List<Typed> scan(Path projectFolder) {
    List<Path> dirs;
    try {
      dirs = folders(projectFolder);
    } catch (IOException e) {
      return List.of();
    }
    List<Typed> out = new ArrayList<>();
    for (Path d : dirs) {
      Typed c = typed(d, null);
      if (c != null) {
        out.add(c);
      }
      for (HfTrainerRun.Checkpoint t : trainerCheckpoints(d)) {
        Typed n = typed(t.dir(), t.step());
        if (n != null) {
          out.add(n);
        }
      }
    }
    out.sort(Comparator.comparing((Typed t) -> t.checkpoint().modified()).reversed());
    return out;
  }

  /** A Trainer output folder's checkpoint-N folders; none for any other folder or one that cannot be listed. */
  private static List<HfTrainerRun.Checkpoint> trainerCheckpoints(Path dir) {
    try {
      return HfTrainerRun.checkpoints(dir);
    } catch (CalmException e) {
      return List.of();
    }
  }

  /** The autoencoder checkpoint in {@code dir}, or null if it holds none. */
  public static Checkpoint autoencoder(Path dir) {
    return checkpoint(dir, t -> t == ModelType.AUTOENCODER);
  }

  /**
   * The checkpoint in {@code dir} if it is complete (config.json and weights) and of a type {@code
   * modelType} accepts; null for anything else, half-written and foreign folders included. A
   * config.json without a model_type is read as an autoencoder's (the first checkpoints wrote none).
   */
  public static Checkpoint checkpoint(Path dir, Predicate<ModelType> modelType) {
    Typed t = typed(dir, null);
    return t != null && modelType.test(t.type()) ? t.checkpoint() : null;
  }

  /** The checkpoint in {@code dir} with its type, its step already known ({@code null}: read it from the folder). */
  private static Typed typed(Path dir, Long knownStep) {
    Path config = dir.resolve(TrainingLoop.CONFIG);
    Path weights = CheckpointWeights.find(dir).orElse(null);
    if (weights == null || !Files.isRegularFile(config)) {
      return null;
    }
    try {
      JsonObject c = JsonFiles.readObject(config);
      ModelType type = c.has("model_type") ? ModelType.of(c, config.toString()) : ModelType.AUTOENCODER;
      long step = knownStep != null ? knownStep : step(dir).orElse(-1);
      return new Typed(new Checkpoint(dir, step, Files.getLastModifiedTime(weights)), type);
    } catch (IOException | RuntimeException e) {
      return null; // half-written or foreign folder
    }
  }

  /**
   * The step in {@code dir}'s trainer_state.json; empty without one, or for a Hugging Face Trainer's
   * (a checkpoint-N folder of the official code keeps its step in its own format).
   *
   * @throws CalmException naming the file when it is ours but malformed
   */
  public static java.util.OptionalLong step(Path dir) {
    Path state = dir.resolve(TrainingLoop.STATE);
    if (!Files.isRegularFile(state)) {
      return java.util.OptionalLong.empty();
    }
    return TrainerState.readIfOurs(state).map(s -> java.util.OptionalLong.of(s.step())).orElse(java.util.OptionalLong.empty());
  }

  /** How the workbench names a model type. */
  public static String typeOf(ModelType modelType) {
    return modelType.isCalm() ? CALM : modelType == ModelType.AR ? AR : AE;
  }

  /**
   * The run folders under {@code PROJECT/runs/}: folders with a {@code config.json} or Trainer output,
   * sorted by name (which starts with the kind and the start time). Folders still without a first
   * checkpoint have no config.json yet and are not listed.
   */
  public static List<Path> runDirs(Path projectFolder) throws IOException {
    return folders(projectFolder).stream()
        .filter(d -> Files.isRegularFile(d.resolve(TrainingLoop.CONFIG)) || HfTrainerRun.isTrainerOutput(d))
        .sorted().toList();
  }

  /**
   * Reads one run. Returns null for a folder that is not a training run (another model type).
   *
   * @throws CalmException naming the file (and line) when config.json, trainer_state.json or
   *     metrics.jsonl is malformed
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
    List<MetricsLog.Row> rows = MetricsLog.read(dir.resolve(TrainingLoop.METRICS));
    Path stateFile = dir.resolve(TrainingLoop.STATE);
    long steps = step(dir).orElse(rows.isEmpty() ? 0 : rows.get(rows.size() - 1).step());
    double loss = rows.isEmpty() ? Double.NaN : rows.get(rows.size() - 1).get("loss");
    Instant date;
    try {
      date = Files.getLastModifiedTime(Files.isRegularFile(stateFile) ? stateFile : configFile).toInstant();
    } catch (IOException e) {
      throw new CalmException("cannot read " + configFile + ": " + e.getMessage(), e);
    }
    return new Run(dir, typeOf(modelType), steps, loss, last(rows, "brier_lm"), date, rows, WORKBENCH, List.of());
  }

  /** A Hugging Face Trainer output folder: the official model_type "autoencoder" is AE, a head is CALM. */
  private static Run readTrainerOutput(Path dir) {
    HfTrainerRun run = HfTrainerRun.read(dir);
    List<MetricsLog.Row> rows = run.rows();
    return new Run(dir, run.isAutoencoder() ? AE : CALM, run.globalStep(), last(rows, "loss"), last(rows, "brier_lm"),
        run.date(), rows, HF_TRAINER, run.checkpoints().stream().map(HfTrainerRun.Checkpoint::dir).toList());
  }

  /** The folders directly under {@code project/runs/}; none when it does not exist. */
  private static List<Path> folders(Path projectFolder) throws IOException {
    Path runs = projectFolder.resolve(Project.RUNS);
    if (!Files.isDirectory(runs)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(runs)) {
      return dirs.filter(Files::isDirectory).toList();
    }
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
