package org.calmworkbench.backend.train;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.calmworkbench.backend.CalmException;

/**
 * What kind of checkpoint a folder holds, so a command can dispatch on it, and the bits of
 * training bookkeeping that evaluation and generation read back.
 */
public final class Checkpoints {
  private Checkpoints() {}

  /**
   * The {@code model_type} of {@code DIR/config.json}: {@code "calm_autoencoder"}, {@code
   * "calm_energy"}, {@code "calm_ar"}, ...
   *
   * @throws CalmException naming the file when the folder, the file or the key is missing
   */
  public static String modelType(Path dir) {
    JsonObject config = readConfig(dir);
    JsonElement type = config.get("model_type");
    if (type == null || !type.isJsonPrimitive()) {
      throw new CalmException(dir.resolve(TrainingLoop.CONFIG) + " has no \"model_type\"; is this a checkpoint"
          + " written by calm-workbench or the official CALM code?");
    }
    return type.getAsString();
  }

  /** {@code DIR/config.json} as a JSON object. */
  public static JsonObject readConfig(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new CalmException("checkpoint folder not found: " + dir);
    }
    Path file = dir.resolve(TrainingLoop.CONFIG);
    if (!Files.isRegularFile(file)) {
      throw new CalmException("not a checkpoint: " + file + " is missing");
    }
    try {
      JsonElement e = JsonParser.parseString(Files.readString(file));
      if (!e.isJsonObject()) {
        throw new CalmException(file + ": expected a JSON object");
      }
      return e.getAsJsonObject();
    } catch (IOException e) {
      throw new CalmException("cannot read " + file + ": " + e.getMessage(), e);
    } catch (com.google.gson.JsonParseException e) {
      throw new CalmException(file + ": not valid JSON (" + e.getMessage() + ")", e);
    }
  }

  /**
   * The number of chunks per training sequence ({@code context_chunks}) the checkpoint was trained
   * with, if it recorded it: from {@code config.json}, else from the {@code train_config} of {@code
   * trainer_state.json}. Empty for a checkpoint that did not come from our trainer (e.g. the
   * reference weights) or that predates the key.
   */
  public static OptionalInt contextChunks(Path dir) {
    OptionalInt fromConfig = intKey(readConfig(dir), "context_chunks");
    if (fromConfig.isPresent()) {
      return fromConfig;
    }
    Path state = dir.resolve(TrainingLoop.STATE);
    if (!Files.isRegularFile(state)) {
      return OptionalInt.empty();
    }
    JsonObject train = TrainerState.read(state).trainConfig();
    return train == null ? OptionalInt.empty() : intKey(train, "context_chunks");
  }

  private static OptionalInt intKey(JsonObject o, String key) {
    JsonElement e = o.get(key);
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
      return OptionalInt.empty();
    }
    int v = e.getAsInt();
    return v > 0 ? OptionalInt.of(v) : OptionalInt.empty();
  }
}
