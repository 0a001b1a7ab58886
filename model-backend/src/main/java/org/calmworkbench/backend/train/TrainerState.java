package org.calmworkbench.backend.train;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.calmworkbench.backend.CalmException;

/** Where a run stands: enough, with the weights and optimizer state, to resume it exactly. */
public record TrainerState(String kind, long step, long tokensSeen, double elapsedSeconds, JsonObject trainConfig) {
  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("kind", kind);
    o.addProperty("step", step);
    o.addProperty("tokens_seen", tokensSeen);
    o.addProperty("elapsed_seconds", elapsedSeconds);
    o.add("train_config", trainConfig);
    return o;
  }

  /**
   * The workbench's state in {@code file}, or empty when the file is a Hugging Face Trainer's
   * trainer_state.json (same name, other format: {@code global_step} and {@code log_history}, no
   * {@code kind}), as in an official run's {@code checkpoint-N/} folder.
   */
  public static java.util.Optional<TrainerState> readIfOurs(Path file) {
    JsonObject o = parse(file);
    if (!o.has("kind") && (o.has("log_history") || o.has("global_step"))) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(fromJson(o, file));
  }

  public static TrainerState read(Path file) {
    return fromJson(parse(file), file);
  }

  private static JsonObject parse(Path file) {
    try {
      return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    } catch (IOException e) {
      throw new CalmException("cannot read " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new CalmException(file + ": not a valid trainer state (" + e.getMessage() + ")", e);
    }
  }

  /** The state in {@code o}, read from {@code file} (named in errors). */
  private static TrainerState fromJson(JsonObject o, Path file) {
    try {
      return new TrainerState(
          o.get("kind").getAsString(),
          o.get("step").getAsLong(),
          o.get("tokens_seen").getAsLong(),
          o.get("elapsed_seconds").getAsDouble(),
          o.getAsJsonObject("train_config"));
    } catch (RuntimeException e) {
      throw new CalmException(file + ": not a valid trainer state (" + e.getMessage() + ")", e);
    }
  }
}
