package org.calmworkbench.backend.train;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.io.JsonFiles;
import org.calmworkbench.backend.model.ModelType;

/**
 * What kind of checkpoint a folder holds, so a command can dispatch on it, and the bits of
 * training bookkeeping that evaluation and generation read back.
 */
public final class Checkpoints {
  private Checkpoints() {}

  /**
   * The model type of {@code DIR/config.json} ({@link ModelType#of}: older files too).
   *
   * @throws CalmException naming the file when the folder, the file or the key is missing, or the
   *     model_type is not one this workbench knows
   */
  public static ModelType modelType(Path dir) {
    return ModelType.of(readConfig(dir), dir.resolve(TrainingLoop.CONFIG).toString());
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
    return JsonFiles.readObject(file);
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
    // A Hugging Face Trainer's checkpoint-N/ has a trainer_state.json of its own format: no context there.
    JsonObject train = TrainerState.readIfOurs(state).map(TrainerState::trainConfig).orElse(null);
    return train == null ? OptionalInt.empty() : intKey(train, "context_chunks");
  }

  private static OptionalInt intKey(JsonObject o, String key) {
    long v = JsonFiles.integer(o.get(key)).orElse(0);
    return v > 0 && v <= Integer.MAX_VALUE ? OptionalInt.of((int) v) : OptionalInt.empty();
  }
}
