package org.calmworkbench.backend.model;

import static org.calmworkbench.backend.config.Setting.doubleSetting;
import static org.calmworkbench.backend.config.Setting.intSetting;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.io.JsonFiles;
import org.calmworkbench.backend.config.Setting;
import org.calmworkbench.backend.config.Settings;

/** The autoencoder's architecture and VAE regularisation, with the official config.json names. */
public record AutoencoderConfig(
    int vocabSize, // V: tokenizer vocabulary
    int hiddenSize, // H: width of every layer
    int intermediateSize, // SwiGLU inner width
    int numEncoderLayers, // split half before, half after the squeeze
    int numDecoderLayers, // split half before, half after the expand
    int latentSize, // L: size of one chunk's latent vector
    int patchSize, // K: tokens per chunk
    double rmsNormEps, // RMSNorm epsilon
    double aeDropout, // p of input-token masking (to id 0) and of latent dropout
    double klClamp, // per-dimension KL is clamped below at this (free bits)
    double klWeight) { // weight of the summed KL in the loss

  public static final List<Setting> SETTINGS =
      List.of(
          intSetting("vocab_size", 2, 1 << 22, "Number of token ids (set by the tokenizer)."),
          intSetting("hidden_size", 1, 1 << 16, "Width H of the encoder and decoder layers."),
          intSetting("intermediate_size", 1, 1 << 18, "Inner width of each SwiGLU MLP."),
          intSetting("num_encoder_layers", 2, 64, "Encoder layers: half run per token, half per chunk (even)."),
          intSetting("num_decoder_layers", 2, 64, "Decoder layers: half run per chunk, half per token (even)."),
          intSetting("latent_size", 1, 1 << 14, "Size L of the continuous vector that replaces K tokens."),
          intSetting("patch_size", 1, 64, "K: how many tokens one latent vector carries."),
          doubleSetting("rms_norm_eps", 0, 1, "Epsilon inside RMSNorm: w x / sqrt(mean(x^2) + eps)."),
          doubleSetting("ae_dropout", 0, 0.95, "Probability of masking an input token and of dropping a latent dim."),
          doubleSetting("kl_clamp", 0, 100, "KL per latent dimension is clamped below at this value."),
          doubleSetting("kl_weight", 0, 100, "Weight beta of the KL term: loss = K*CE + beta*KL."));

  public AutoencoderConfig {
    if (numEncoderLayers % 2 != 0 || numDecoderLayers % 2 != 0) {
      throw new CalmException(
          "num_encoder_layers and num_decoder_layers must be even (half the layers run before the"
              + " squeeze/expand, half after); got "
              + numEncoderLayers
              + " and "
              + numDecoderLayers);
    }
  }

  public static AutoencoderConfig fromMap(Map<String, Number> m, String where) {
    List<String> missing = Settings.missing(m, SETTINGS);
    if (!missing.isEmpty()) {
      throw new CalmException(where + ": missing " + String.join(", ", missing));
    }
    return new AutoencoderConfig(
        m.get("vocab_size").intValue(),
        m.get("hidden_size").intValue(),
        m.get("intermediate_size").intValue(),
        m.get("num_encoder_layers").intValue(),
        m.get("num_decoder_layers").intValue(),
        m.get("latent_size").intValue(),
        m.get("patch_size").intValue(),
        m.get("rms_norm_eps").doubleValue(),
        m.get("ae_dropout").doubleValue(),
        m.get("kl_clamp").doubleValue(),
        m.get("kl_weight").doubleValue());
  }

  public Map<String, Number> toMap() {
    Map<String, Number> m = new LinkedHashMap<>();
    m.put("vocab_size", vocabSize);
    m.put("hidden_size", hiddenSize);
    m.put("intermediate_size", intermediateSize);
    m.put("num_encoder_layers", numEncoderLayers);
    m.put("num_decoder_layers", numDecoderLayers);
    m.put("latent_size", latentSize);
    m.put("patch_size", patchSize);
    m.put("rms_norm_eps", rmsNormEps);
    m.put("ae_dropout", aeDropout);
    m.put("kl_clamp", klClamp);
    m.put("kl_weight", klWeight);
    return m;
  }

  /** A copy with {@code overrides} (already validated keys of {@link #SETTINGS}) applied. */
  public AutoencoderConfig with(Map<String, Number> overrides) {
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
    o.addProperty("model_type", ModelType.AUTOENCODER.key());
    return o;
  }

  /** Reads an official-style config.json; extra HF bookkeeping keys are ignored. */
  public static AutoencoderConfig read(Path file) {
    return JsonFiles.naming(file, () -> readUnnamed(file));
  }

  private static AutoencoderConfig readUnnamed(Path file) {
    JsonObject json;
    try {
      json = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    } catch (IOException e) {
      throw new CalmException("cannot read " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new CalmException(file + ": not a JSON object (" + e.getMessage() + ")", e);
    }
    return fromMap(Settings.readJson(json, SETTINGS, file.toString()), file.toString());
  }
}
