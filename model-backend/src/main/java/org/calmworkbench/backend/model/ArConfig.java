package org.calmworkbench.backend.model;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.config.Setting;
import org.calmworkbench.backend.config.Settings;
import org.calmworkbench.backend.io.JsonFiles;

/**
 * The autoregressive baseline's architecture: the {@link BackboneConfig} CALM uses too (same
 * names, same meaning) plus the H x V softmax head, which has no settings of its own. Written to
 * config.json with {@code model_type: "calm_ar"}.
 *
 * <p>Decision: only the backbone's keys, so {@code --set noise_size=...} on an AR run is an
 * unknown-key error instead of silently doing nothing, and an AR config.json holds only what the
 * model uses.
 */
public record ArConfig(BackboneConfig backbone) {
  public static final List<Setting> SETTINGS = BackboneConfig.SETTINGS;

  public ArConfig {
    if (backbone == null) {
      throw new CalmException("an AR config needs a backbone");
    }
  }

  /** V, the backbone's (rows of the token embedding, columns of the logits). */
  public int vocabSize() {
    return backbone.vocabSize();
  }

  /** H, the backbone's. */
  public int hiddenSize() {
    return backbone.hiddenSize();
  }

  /**
   * Reads the AR settings from {@code m}; other keys (a CALM preset's noise_size, beta, ...) are
   * ignored, so a shared LM preset map can be passed as is.
   */
  public static ArConfig fromMap(Map<String, Number> m, String where) {
    return new ArConfig(BackboneConfig.fromMap(m, where));
  }

  public Map<String, Number> toMap() {
    return backbone.toMap();
  }

  /** A copy with the keys of {@code overrides} that are AR settings applied (others ignored). */
  public ArConfig with(Map<String, Number> overrides) {
    Map<String, Number> m = toMap();
    overrides.forEach((k, v) -> {
      if (m.containsKey(k)) {
        m.put(k, v);
      }
    });
    return fromMap(m, "settings");
  }

  public JsonObject toJson() {
    JsonObject o = Settings.toJson(toMap());
    o.addProperty("model_type", ModelType.AR.key());
    return o;
  }

  /** Reads an AR config.json; refuses another model type (e.g. a CALM or autoencoder config). */
  public static ArConfig read(Path file) {
    return JsonFiles.naming(file, () -> readUnnamed(file));
  }

  private static ArConfig readUnnamed(Path file) {
    JsonObject json = JsonFiles.readObject(file);
    JsonElement type = json.get("model_type");
    if (type != null && !(type.isJsonPrimitive() && ModelType.fromKey(type.getAsString()).orElse(null) == ModelType.AR)) {
      throw new CalmException(file + ": model_type is " + type + ", not \"" + ModelType.AR.key()
          + "\"; this is not an autoregressive baseline checkpoint");
    }
    return fromMap(Settings.readJson(json, SETTINGS, file.toString()), file.toString());
  }
}
