package org.calmworkbench.backend.interop;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.io.JsonFiles;
import org.calmworkbench.backend.train.MetricsLog;

/**
 * A Hugging Face Trainer output folder, as the official CALM scripts leave it on a cluster:
 * {@code trainer_state.json} (its {@code log_history}: training logs every logging_steps, evaluations
 * every eval_steps) and {@code checkpoint-N/} folders, each with its own trainer_state.json. Read into
 * the workbench's metric rows ({@link MetricsLog.Row}) so a cluster run sits on the same charts as
 * local runs. Names are translated where the workbench has its own: {@code learning_rate} is
 * {@code lr}, {@code eval_loss} is {@code valid_loss}, the official {@code eval_brierLM} (a geometric
 * mean in 0..1) is {@code brier_lm} (x 100, the workbench's scale) and {@code eval_brierN} is
 * {@code brier_N}; other numeric fields keep their names.
 */
public record HfTrainerRun(Path dir, Path stateFile, long globalStep, long maxSteps, String modelType,
    List<MetricsLog.Row> rows, List<Checkpoint> checkpoints) {

  public static final String STATE = "trainer_state.json";
  private static final Pattern CHECKPOINT = Pattern.compile("checkpoint-(\\d+)");
  private static final Pattern EVAL_BRIER = Pattern.compile("eval_brier([1-4])");

  /** One {@code checkpoint-N/} folder. */
  public record Checkpoint(long step, Path dir) {}

  /** The model types of the official code: "autoencoder" for the autoencoder, a head for CALM. */
  public boolean isAutoencoder() {
    return "autoencoder".equals(modelType);
  }

  /** When the run last wrote its state. */
  public Instant date() {
    try {
      return Files.getLastModifiedTime(stateFile).toInstant();
    } catch (IOException e) {
      throw new CalmException("cannot read " + stateFile + ": " + e.getMessage(), e);
    }
  }

  /** Whether {@code dir} is a Trainer output folder: a trainer_state.json with a log_history here or in a checkpoint. */
  public static boolean isTrainerOutput(Path dir) {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    return hasLogHistory(dir.resolve(STATE)) || !checkpoints(dir).isEmpty();
  }

  /**
   * Reads {@code dir}: its own trainer_state.json (written at the end of training) or, while it
   * trains, the latest checkpoint's, which holds the whole history up to that step.
   *
   * @throws CalmException naming the file when the folder holds no Trainer state or it is malformed
   */
  public static HfTrainerRun read(Path dir) {
    List<Checkpoint> checkpoints = checkpoints(dir);
    Path state = dir.resolve(STATE);
    if (!Files.isRegularFile(state) || !JsonFiles.readObject(state).has("log_history")) {
      Optional<Path> latest = checkpoints.stream().map(c -> c.dir().resolve(STATE)).filter(HfTrainerRun::hasLogHistory)
          .reduce((a, b) -> b);
      state = latest.orElseThrow(() -> new CalmException(dir + " is not a Hugging Face Trainer output folder: no "
          + STATE + " with a \"log_history\" there or in a checkpoint-N/ folder"));
    }
    JsonObject o = JsonFiles.readObject(state);
    JsonElement history = o.get("log_history");
    if (history == null || !history.isJsonArray()) {
      throw new CalmException(state + ": \"log_history\" is not an array");
    }
    List<MetricsLog.Row> rows = rows(history.getAsJsonArray(), state);
    long step = longKey(o, "global_step", rows.isEmpty() ? 0 : rows.get(rows.size() - 1).step());
    return new HfTrainerRun(dir, state, step, longKey(o, "max_steps", 0), modelType(dir, checkpoints), rows,
        checkpoints);
  }

  /** log_history entries as metric rows, entries of the same step merged (a training log and an evaluation). */
  static List<MetricsLog.Row> rows(JsonArray history, Path file) {
    Map<Long, Map<String, Double>> bySteps = new LinkedHashMap<>();
    for (int i = 0; i < history.size(); i++) {
      JsonElement e = history.get(i);
      if (!e.isJsonObject()) {
        throw new CalmException(file + ": log_history[" + i + "] is not an object");
      }
      JsonObject entry = e.getAsJsonObject();
      OptionalLong step = JsonFiles.integer(entry.get("step"));
      if (step.isEmpty()) {
        throw new CalmException(file + ": log_history[" + i + "] has no integer \"step\"");
      }
      Map<String, Double> values = bySteps.computeIfAbsent(step.getAsLong(), s -> new LinkedHashMap<>());
      for (Map.Entry<String, JsonElement> f : entry.entrySet()) {
        JsonElement v = f.getValue();
        if (!f.getKey().equals("step") && v.isJsonPrimitive() && v.getAsJsonPrimitive().isNumber()) {
          put(values, f.getKey(), v.getAsDouble());
        }
      }
    }
    List<MetricsLog.Row> rows = new ArrayList<>();
    bySteps.forEach((step, values) -> rows.add(new MetricsLog.Row(step, Collections.unmodifiableMap(values))));
    rows.sort(Comparator.comparingLong(MetricsLog.Row::step));
    return List.copyOf(rows);
  }

  private static void put(Map<String, Double> values, String key, double v) {
    switch (key) {
      case "learning_rate" -> values.put("lr", v);
      case "eval_loss" -> values.put("valid_loss", v);
      case "eval_brierLM" -> values.put("brier_lm", 100 * v);
      default -> {
        Matcher m = EVAL_BRIER.matcher(key);
        values.put(m.matches() ? "brier_" + m.group(1) : key, v);
      }
    }
  }

  /** Whether {@code dir} is named as a Trainer's {@code checkpoint-N/} folder. */
  public static boolean isCheckpointFolder(Path dir) {
    return dir.getFileName() != null && CHECKPOINT.matcher(dir.getFileName().toString()).matches();
  }

  /** The {@code checkpoint-N/} folders in {@code dir}, by step (empty when there are none). */
  public static List<Checkpoint> checkpoints(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isDirectory)
          .map(p -> {
            Matcher m = CHECKPOINT.matcher(p.getFileName().toString());
            return m.matches() ? new Checkpoint(Long.parseLong(m.group(1)), p) : null;
          })
          .filter(c -> c != null)
          .sorted(Comparator.comparingLong(Checkpoint::step))
          .toList();
    } catch (IOException e) {
      throw new CalmException("cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  /** "autoencoder", "energy", "flow", "diffusion" from a config.json here or in a checkpoint; "unknown" without one. */
  private static String modelType(Path dir, List<Checkpoint> checkpoints) {
    List<Path> candidates = new ArrayList<>();
    candidates.add(dir.resolve("config.json"));
    for (int i = checkpoints.size() - 1; i >= 0; i--) {
      candidates.add(checkpoints.get(i).dir().resolve("config.json"));
    }
    for (Path config : candidates) {
      if (Files.isRegularFile(config)) {
        JsonObject o = JsonFiles.readObject(config);
        JsonElement type = o.get("model_type");
        JsonElement arch = o.get("architectures");
        if (arch != null && arch.toString().contains("Autoencoder")) {
          return "autoencoder";
        }
        if (type != null && type.isJsonPrimitive() && !type.getAsString().isEmpty()) {
          return type.getAsString();
        }
      }
    }
    return "unknown";
  }

  private static boolean hasLogHistory(Path state) {
    if (!Files.isRegularFile(state)) {
      return false;
    }
    try {
      JsonObject o = JsonFiles.readObject(state);
      return o.has("log_history");
    } catch (CalmException e) {
      return false;
    }
  }

  private static long longKey(JsonObject o, String key, long fallback) {
    return JsonFiles.integer(o.get(key)).orElse(fallback);
  }
}
