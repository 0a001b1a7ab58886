package org.calmworkbench.backend.model;

import static org.calmworkbench.backend.config.Setting.doubleSetting;
import static org.calmworkbench.backend.config.Setting.intSetting;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.config.Setting;
import org.calmworkbench.backend.config.Settings;

/**
 * The autoregressive baseline's architecture: exactly the backbone part of {@link CalmConfig}
 * (same names, same meaning), so an AR model and a CALM model built from one preset share their
 * Transformer shape. Written to config.json with {@code model_type: "calm_ar"}.
 *
 * <p>Decision: a record of its own rather than a {@link CalmConfig} with ignored fields, so that
 * {@code --set noise_size=...} on an AR run is an unknown-key error instead of silently doing
 * nothing, and an AR config.json holds only what the model uses. {@link #backbone()} fills the
 * energy-head fields of a CalmConfig with placeholders that {@link Backbone} never reads.
 */
public record ArConfig(
    int vocabSize, // V: tokenizer vocabulary (input embedding rows and output logits)
    int hiddenSize, // H: width of the Transformer
    int intermediateSize, // SwiGLU inner width of each Transformer layer
    int numHiddenLayers, // Transformer (Llama) layers
    int numAttentionHeads, // heads per attention layer; H / heads is the head size
    double rmsNormEps, // RMSNorm epsilon
    double ropeTheta) { // base of the rotary position frequencies

  public static final String MODEL_TYPE = "calm_ar";

  private static final List<String> KEYS = List.of("vocab_size", "hidden_size", "intermediate_size",
      "num_hidden_layers", "num_attention_heads", "rms_norm_eps", "rope_theta");

  /** The same settings (and help texts) as CalmConfig's backbone part. */
  public static final List<Setting> SETTINGS =
      CalmConfig.SETTINGS.stream().filter(s -> KEYS.contains(s.key())).toList();

  public ArConfig {
    backbone(vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads, rmsNormEps, ropeTheta);
  }

  /** Size of one attention head: H / heads. */
  public int headSize() {
    return hiddenSize / numAttentionHeads;
  }

  /**
   * The CalmConfig {@link Backbone} is built from. latent_size, patch_size, noise_size,
   * num_mlp_layers, num_samples and beta are placeholders: the backbone reads none of them.
   */
  public CalmConfig backbone() {
    return backbone(vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads, rmsNormEps, ropeTheta);
  }

  private static CalmConfig backbone(int v, int h, int inter, int layers, int heads, double eps, double theta) {
    return new CalmConfig(v, h, inter, layers, heads, 1, 1, 1, 0, eps, theta, 2, 1.0); // validates heads | H
  }

  /**
   * Reads the AR settings from {@code m}; other keys (a CALM preset's noise_size, beta, ...) are
   * ignored, so a shared LM preset map can be passed as is.
   */
  public static ArConfig fromMap(Map<String, Number> m, String where) {
    List<String> missing = Settings.missing(m, SETTINGS);
    if (!missing.isEmpty()) {
      throw new CalmException(where + ": missing " + String.join(", ", missing));
    }
    return new ArConfig(
        m.get("vocab_size").intValue(),
        m.get("hidden_size").intValue(),
        m.get("intermediate_size").intValue(),
        m.get("num_hidden_layers").intValue(),
        m.get("num_attention_heads").intValue(),
        m.get("rms_norm_eps").doubleValue(),
        m.get("rope_theta").doubleValue());
  }

  public Map<String, Number> toMap() {
    Map<String, Number> m = new LinkedHashMap<>();
    m.put("vocab_size", vocabSize);
    m.put("hidden_size", hiddenSize);
    m.put("intermediate_size", intermediateSize);
    m.put("num_hidden_layers", numHiddenLayers);
    m.put("num_attention_heads", numAttentionHeads);
    m.put("rms_norm_eps", rmsNormEps);
    m.put("rope_theta", ropeTheta);
    return m;
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
    o.addProperty("model_type", MODEL_TYPE);
    return o;
  }

  /** Reads an AR config.json; refuses another model type (e.g. a CALM or autoencoder config). */
  public static ArConfig read(Path file) {
    JsonObject json;
    try {
      json = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    } catch (IOException e) {
      throw new CalmException("cannot read " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new CalmException(file + ": not a JSON object (" + e.getMessage() + ")", e);
    }
    JsonElement type = json.get("model_type");
    if (type != null && !(type.isJsonPrimitive() && MODEL_TYPE.equals(type.getAsString()))) {
      throw new CalmException(file + ": model_type is " + type + ", not \"" + MODEL_TYPE
          + "\"; this is not an autoregressive baseline checkpoint");
    }
    return fromMap(Settings.readJson(json, SETTINGS, file.toString()), file.toString());
  }
}
