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

  public static TrainerState read(Path file) {
    try {
      JsonObject o = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
      return new TrainerState(
          o.get("kind").getAsString(),
          o.get("step").getAsLong(),
          o.get("tokens_seen").getAsLong(),
          o.get("elapsed_seconds").getAsDouble(),
          o.getAsJsonObject("train_config"));
    } catch (IOException e) {
      throw new CalmException("cannot read " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new CalmException(file + ": not a valid trainer state (" + e.getMessage() + ")", e);
    }
  }
}
