package org.calmworkbench.app.gui.runs;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.calmworkbench.app.gui.common.Checkpoints;
import org.calmworkbench.app.gui.common.TrainingFlops;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.train.TrainerState;
import org.calmworkbench.backend.train.TrainingLoop;

/**
 * The training runs of a project as the trainers leave them: {@code PROJECT/runs/NAME/} with
 * {@code config.json} (its {@code model_type} says AE, CALM or AR), {@code trainer_state.json} (step,
 * tokens seen) and {@code metrics.jsonl} (one JSON object per step: {@code step}, {@code loss}, the
 * step's terms, {@code lr}, {@code grad_norm}, {@code elapsed_seconds}, and at evaluations the
 * held-out metrics such as {@code brier_lm}). No JavaFX here: the Runs page's view model and tests
 * read runs through this class.
 */
public final class RunFolder {
  private RunFolder() {}

  public static final String AE = "AE";
  public static final String CALM = "CALM";
  public static final String AR = "AR";

  /** One line of metrics.jsonl: the step and every numeric field. */
  public record Row(long step, Map<String, Double> values) {
    public double get(String key) {
      Double v = values.get(key);
      return v == null ? Double.NaN : v;
    }
  }

  /** One run folder, read. {@code finalLoss} and {@code brierLm} are NaN when never measured. */
  public record Run(Path dir, String type, long steps, double finalLoss, double brierLm, Instant date, List<Row> rows,
      double flopsPerStep) {
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

  /** The model types the trainers write, and how the workbench names them. */
  public static String typeOf(String modelType) {
    return switch (modelType) {
      case "calm_autoencoder" -> AE;
      case "calm_energy" -> CALM;
      case "calm_ar" -> AR;
      default -> null;
    };
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
      return dirs.filter(d -> Files.isRegularFile(d.resolve(TrainingLoop.CONFIG))).sorted().toList();
    }
  }

  /**
   * Reads one run. Returns null for a folder that is not a training run (another model type).
   *
   * @throws CalmException naming the file (and line) when config.json or metrics.jsonl is malformed
   */
  public static Run read(Path dir) {
    Path configFile = dir.resolve(TrainingLoop.CONFIG);
    JsonObject config;
    try {
      JsonElement e = JsonParser.parseString(Files.readString(configFile, StandardCharsets.UTF_8));
      if (!e.isJsonObject()) {
        throw new CalmException(configFile + ": expected a JSON object");
      }
      config = e.getAsJsonObject();
    } catch (IOException e) {
      throw new CalmException("cannot read " + configFile + ": " + e.getMessage(), e);
    } catch (JsonParseException e) {
      throw new CalmException(configFile + ": not valid JSON (" + e.getMessage() + ")", e);
    }
    JsonElement mt = config.get("model_type");
    String type = mt != null && mt.isJsonPrimitive() ? typeOf(mt.getAsString()) : null;
    if (type == null) {
      return null;
    }
    List<Row> rows = readMetrics(dir.resolve(TrainingLoop.METRICS));
    Path stateFile = dir.resolve(TrainingLoop.STATE);
    long steps = rows.isEmpty() ? 0 : rows.get(rows.size() - 1).step();
    if (Files.isRegularFile(stateFile)) {
      steps = TrainerState.read(stateFile).step();
    }
    double loss = rows.isEmpty() ? Double.NaN : rows.get(rows.size() - 1).get("loss");
    double brier = Double.NaN;
    for (int i = rows.size() - 1; i >= 0 && Double.isNaN(brier); i--) {
      brier = rows.get(i).get("brier_lm");
    }
    Instant date;
    try {
      date = Files.getLastModifiedTime(Files.isRegularFile(stateFile) ? stateFile : configFile).toInstant();
    } catch (IOException e) {
      throw new CalmException("cannot read " + configFile + ": " + e.getMessage(), e);
    }
    double flops = TrainingFlops.perStep(dir, mt.getAsString());
    return new Run(dir, type, steps, loss, brier, date, rows, flops);
  }

  /**
   * The rows of a metrics.jsonl file (none if it does not exist). Blank lines are skipped; an
   * unterminated last line that does not parse is a row still being written and is skipped too.
   *
   * @throws CalmException "FILE, line N: ..." for a line that is not a JSON object with a numeric step
   */
  public static List<Row> readMetrics(Path file) {
    if (!Files.isRegularFile(file)) {
      return List.of();
    }
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CalmException("cannot read " + file + ": " + e.getMessage(), e);
    }
    String[] lines = text.split("\n", -1);
    List<Row> rows = new ArrayList<>(lines.length);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty()) {
        continue;
      }
      boolean unterminated = i == lines.length - 1;
      try {
        rows.add(parseRow(line, file, i + 1));
      } catch (CalmException e) {
        if (!unterminated) {
          throw e;
        }
      }
    }
    return Collections.unmodifiableList(rows);
  }

  private static Row parseRow(String line, Path file, int lineNo) {
    JsonElement e;
    try {
      e = JsonParser.parseString(line);
    } catch (JsonParseException ex) {
      throw new CalmException(file + ", line " + lineNo + ": not valid JSON (" + rootMessage(ex) + ")", ex);
    }
    if (!e.isJsonObject()) {
      throw new CalmException(file + ", line " + lineNo + ": expected a JSON object, got " + abbreviate(line));
    }
    JsonObject o = e.getAsJsonObject();
    JsonElement step = o.get("step");
    if (step == null || !step.isJsonPrimitive() || !step.getAsJsonPrimitive().isNumber()) {
      throw new CalmException(file + ", line " + lineNo + ": no numeric \"step\" in " + abbreviate(line));
    }
    Map<String, Double> values = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> f : o.entrySet()) {
      JsonElement v = f.getValue();
      if (!f.getKey().equals("step") && v.isJsonPrimitive() && v.getAsJsonPrimitive().isNumber()) {
        values.put(f.getKey(), v.getAsDouble());
      }
    }
    return new Row(step.getAsLong(), Collections.unmodifiableMap(values));
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  private static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }

  /** A new, not yet existing folder {@code PROJECT/runs/PREFIX-yyyyMMdd-HHmmss} (with -2, -3... if taken). */
  public static Path newRunFolder(Path projectFolder, String prefix) throws IOException {
    Path runs = projectFolder.resolve(Checkpoints.RUNS);
    Files.createDirectories(runs);
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path out = runs.resolve(prefix + "-" + stamp);
    for (int i = 2; Files.exists(out); i++) {
      out = runs.resolve(prefix + "-" + stamp + "-" + i);
    }
    return out;
  }
}
