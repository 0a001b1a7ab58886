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
import org.calmworkbench.backend.config.Setting;
import org.calmworkbench.backend.config.Settings;

/**
 * The CALM language model's architecture and energy-loss settings, with the official
 * {@code CALMConfig} config.json names. The autoencoder it predicts latents of is configured
 * separately ({@link AutoencoderConfig}); {@code latent_size} and {@code patch_size} must agree.
 */
public record CalmConfig(
    int vocabSize, // V: tokenizer vocabulary (the backbone's own token embedding)
    int hiddenSize, // H: width of the Transformer and of the energy head
    int intermediateSize, // SwiGLU inner width of each Transformer layer
    int numHiddenLayers, // Transformer (Llama) layers
    int numAttentionHeads, // heads per attention layer; H / heads is the head size
    int latentSize, // L: size of the predicted latent vector (the autoencoder's)
    int patchSize, // K: tokens per latent vector (the autoencoder's)
    int noiseSize, // width of the uniform noise fed to the energy head
    int numMlpLayers, // residual blocks in the energy head
    double rmsNormEps, // RMSNorm epsilon
    double ropeTheta, // base of the rotary position frequencies
    int numSamples, // N: energy-head samples per position in the energy loss
    double beta) { // exponent of the distances in the energy score, in (0, 2)

  public static final List<Setting> SETTINGS =
      List.of(
          intSetting("vocab_size", 2, 1 << 22, "Number of token ids (set by the tokenizer)."),
          intSetting("hidden_size", 1, 1 << 16, "Width H of the Transformer and of the energy head."),
          intSetting("intermediate_size", 1, 1 << 18, "Inner width of each Transformer layer's SwiGLU MLP."),
          intSetting("num_hidden_layers", 1, 256, "Number of Transformer layers."),
          intSetting("num_attention_heads", 1, 1024, "Attention heads per layer; hidden_size must divide evenly."),
          intSetting("latent_size", 1, 1 << 14, "Size L of the latent vector predicted per step (the autoencoder's)."),
          intSetting("patch_size", 1, 64, "K: tokens per latent vector (the autoencoder's)."),
          intSetting("noise_size", 1, 1 << 14, "Width of the uniform noise the energy head turns into a latent."),
          intSetting("num_mlp_layers", 0, 64, "Residual blocks in the energy head."),
          doubleSetting("rms_norm_eps", 0, 1, "Epsilon inside RMSNorm: w x / sqrt(mean(x^2) + eps)."),
          doubleSetting("rope_theta", 1, 1e9, "Base of the rotary position embedding frequencies."),
          intSetting("num_samples", 2, 1024, "Samples N the energy head draws per position for the energy loss."),
          doubleSetting("beta", 0, 2, "Distance exponent of the energy score; strictly proper for 0 < beta < 2."));

  public CalmConfig {
    if (hiddenSize % numAttentionHeads != 0 || (hiddenSize / numAttentionHeads) % 2 != 0) {
      throw new CalmException(
          "hidden_size must split into num_attention_heads heads of even size (rotary embedding"
              + " rotates pairs); got hidden_size " + hiddenSize + " and " + numAttentionHeads + " heads");
    }
    if (!(beta > 0 && beta < 2)) {
      throw new CalmException("beta must lie strictly between 0 and 2 (the energy score is only strictly proper"
          + " there); got " + beta);
    }
    if (numSamples < 2) {
      throw new CalmException("num_samples must be at least 2 (the energy score compares samples pairwise);"
          + " got " + numSamples);
    }
  }

  /** Size of one attention head: H / heads. */
  public int headSize() {
    return hiddenSize / numAttentionHeads;
  }

  public static CalmConfig fromMap(Map<String, Number> m, String where) {
    List<String> missing = Settings.missing(m, SETTINGS);
    if (!missing.isEmpty()) {
      throw new CalmException(where + ": missing " + String.join(", ", missing));
    }
    return new CalmConfig(
        m.get("vocab_size").intValue(),
        m.get("hidden_size").intValue(),
        m.get("intermediate_size").intValue(),
        m.get("num_hidden_layers").intValue(),
        m.get("num_attention_heads").intValue(),
        m.get("latent_size").intValue(),
        m.get("patch_size").intValue(),
        m.get("noise_size").intValue(),
        m.get("num_mlp_layers").intValue(),
        m.get("rms_norm_eps").doubleValue(),
        m.get("rope_theta").doubleValue(),
        m.get("num_samples").intValue(),
        m.get("beta").doubleValue());
  }

  public Map<String, Number> toMap() {
    Map<String, Number> m = new LinkedHashMap<>();
    m.put("vocab_size", vocabSize);
    m.put("hidden_size", hiddenSize);
    m.put("intermediate_size", intermediateSize);
    m.put("num_hidden_layers", numHiddenLayers);
    m.put("num_attention_heads", numAttentionHeads);
    m.put("latent_size", latentSize);
    m.put("patch_size", patchSize);
    m.put("noise_size", noiseSize);
    m.put("num_mlp_layers", numMlpLayers);
    m.put("rms_norm_eps", rmsNormEps);
    m.put("rope_theta", ropeTheta);
    m.put("num_samples", numSamples);
    m.put("beta", beta);
    return m;
  }

  /** A copy with {@code overrides} (already validated keys of {@link #SETTINGS}) applied. */
  public CalmConfig with(Map<String, Number> overrides) {
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
    o.addProperty("model_type", "calm_energy");
    return o;
  }

  /** Reads an official-style config.json; extra HF bookkeeping keys are ignored. */
  public static CalmConfig read(Path file) {
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
