package org.calmworkbench.backend.model;

import static org.calmworkbench.backend.config.Setting.intSetting;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.config.Setting;
import org.calmworkbench.backend.config.Settings;
import org.calmworkbench.backend.io.JsonFiles;

/**
 * The CALM language model's architecture: the shared {@link BackboneConfig}, the latent interface
 * to the autoencoder, and the generative head ({@link HeadConfig}, one record per head type).
 * config.json holds them flat under the official {@code CALMConfig} names, with the model_type
 * naming the head ({@link ModelType}). The autoencoder is configured separately ({@link
 * AutoencoderConfig}); {@code latent_size} and {@code patch_size} must agree.
 */
public record CalmConfig(
    BackboneConfig backbone, // the Transformer
    int latentSize, // L: size of the predicted latent vector (the autoencoder's)
    int patchSize, // K: tokens per latent vector (the autoencoder's)
    int numMlpLayers, // residual blocks in the generative head (whichever head it is)
    HeadConfig head) { // the generative head's type and own settings

  /** CALM's settings on top of the backbone's, shared by every head. */
  public static final List<Setting> OWN_SETTINGS =
      List.of(
          intSetting("latent_size", 1, 1 << 14, "Size L of the latent vector predicted per step (the autoencoder's)."),
          intSetting("patch_size", 1, 64, "K: tokens per latent vector (the autoencoder's)."),
          intSetting("num_mlp_layers", 0, 64, "Residual blocks in the generative head."));

  /** Every architecture key with any head: the backbone's, CALM's own, and every head's. */
  public static final List<Setting> SETTINGS = concat(BackboneConfig.SETTINGS, OWN_SETTINGS, HeadConfig.SETTINGS);

  private static List<Setting> concat(List<Setting> a, List<Setting> b, List<Setting> c) {
    List<Setting> out = new ArrayList<>(a);
    out.addAll(b);
    out.addAll(c);
    return List.copyOf(out);
  }

  public CalmConfig {
    if (backbone == null || head == null) {
      throw new CalmException("a CALM config needs a backbone and a head");
    }
  }

  public ModelType modelType() {
    return ModelType.calm(head.type());
  }

  /** V, the backbone's. */
  public int vocabSize() {
    return backbone.vocabSize();
  }

  /** H, the backbone's (also the generative head's width). */
  public int hiddenSize() {
    return backbone.hiddenSize();
  }

  /**
   * A config with a {@code head}-type head from the keys of {@code m} (other keys ignored).
   *
   * @throws CalmException "WHERE: missing KEY, ..." for an absent key
   */
  public static CalmConfig fromMap(Map<String, Number> m, HeadType head, String where) {
    List<String> missing = Settings.missing(m, OWN_SETTINGS);
    if (!missing.isEmpty()) {
      throw new CalmException(where + ": missing " + String.join(", ", missing));
    }
    return new CalmConfig(BackboneConfig.fromMap(m, where), m.get("latent_size").intValue(),
        m.get("patch_size").intValue(), m.get("num_mlp_layers").intValue(), HeadConfig.fromMap(head, m, where));
  }

  /** Every setting of this model (backbone, CALM's own, the head's) under its config.json name. */
  public Map<String, Number> toMap() {
    Map<String, Number> m = new LinkedHashMap<>(backbone.toMap());
    m.put("latent_size", latentSize);
    m.put("patch_size", patchSize);
    m.put("num_mlp_layers", numMlpLayers);
    m.putAll(head.toMap());
    return m;
  }

  /** A copy with the keys of {@code overrides} that are settings of this model applied (others ignored). */
  public CalmConfig with(Map<String, Number> overrides) {
    Map<String, Number> m = toMap();
    overrides.forEach((k, v) -> {
      if (m.containsKey(k)) {
        m.put(k, v);
      }
    });
    return fromMap(m, head.type(), "settings");
  }

  /** The same architecture with another head. */
  public CalmConfig withHead(HeadConfig newHead) {
    return new CalmConfig(backbone, latentSize, patchSize, numMlpLayers, newHead);
  }

  /** The settings and {@code model_type} as config.json holds them (the flow solver by name). */
  public JsonObject toJson() {
    Map<String, Number> own = toMap();
    own.keySet().removeAll(head.toMap().keySet());
    JsonObject o = Settings.toJson(own);
    head.writeTo(o);
    o.addProperty("model_type", modelType().key());
    return o;
  }

  /**
   * Reads a CALM config.json object: the model_type (older files: {@link ModelType#of}) and the
   * keys of the backbone, CALM and that head; other keys (HF bookkeeping, another head's) are ignored.
   *
   * @throws CalmException naming {@code where} for another model type, a missing key or a bad value
   */
  public static CalmConfig read(JsonObject json, String where) {
    ModelType type = ModelType.of(json, where);
    if (!type.isCalm()) {
      throw new CalmException(where + " has model_type \"" + type.key() + "\": this is not a CALM language-model"
          + " checkpoint" + (type == ModelType.AUTOENCODER ? " (it is an autoencoder; use the 'ae' commands)" : ""));
    }
    List<Setting> archKeys = concat(BackboneConfig.SETTINGS, OWN_SETTINGS, List.of());
    Map<String, Number> m = Settings.readJson(json, archKeys, where);
    HeadConfig head = HeadConfig.read(type.head(), json, where);
    m.putAll(head.toMap());
    return fromMap(m, type.head(), where);
  }

  /** {@link #read(JsonObject, String)} of a config.json file. */
  public static CalmConfig read(Path file) {
    return JsonFiles.naming(file, () -> read(JsonFiles.readObject(file), file.toString()));
  }
}
