package org.calmworkbench.backend.model;

import static org.calmworkbench.backend.config.Setting.doubleSetting;
import static org.calmworkbench.backend.config.Setting.intSetting;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.config.Setting;
import org.calmworkbench.backend.config.Settings;

/**
 * The Llama Transformer both language models are built on ({@link Backbone}): CALM reads one
 * vector per chunk through it ({@link CalmConfig}), the AR baseline one token ({@link ArConfig}).
 * Keys are the official {@code CALMConfig} names, so one preset gives both models the same shape.
 */
public record BackboneConfig(
    int vocabSize, // V: tokenizer vocabulary (the token embedding; the AR baseline's logits)
    int hiddenSize, // H: width of the Transformer (and of CALM's generative head)
    int intermediateSize, // SwiGLU inner width of each Transformer layer
    int numHiddenLayers, // Transformer (Llama) layers
    int numAttentionHeads, // heads per attention layer; H / heads is the head size
    double rmsNormEps, // RMSNorm epsilon
    double ropeTheta) { // base of the rotary position frequencies

  public static final List<Setting> SETTINGS =
      List.of(
          intSetting("vocab_size", 2, 1 << 22, "Number of token ids (set by the tokenizer)."),
          intSetting("hidden_size", 1, 1 << 16, "Width H of the Transformer and of the generative head."),
          intSetting("intermediate_size", 1, 1 << 18, "Inner width of each Transformer layer's SwiGLU MLP."),
          intSetting("num_hidden_layers", 1, 256, "Number of Transformer layers."),
          intSetting("num_attention_heads", 1, 1024, "Attention heads per layer; hidden_size must divide evenly."),
          doubleSetting("rms_norm_eps", 0, 1, "Epsilon inside RMSNorm: w x / sqrt(mean(x^2) + eps)."),
          doubleSetting("rope_theta", 1, 1e9, "Base of the rotary position embedding frequencies."));

  public BackboneConfig {
    if (hiddenSize % numAttentionHeads != 0 || (hiddenSize / numAttentionHeads) % 2 != 0) {
      throw new CalmException(
          "hidden_size must split into num_attention_heads heads of even size (rotary embedding"
              + " rotates pairs); got hidden_size " + hiddenSize + " and " + numAttentionHeads + " heads");
    }
  }

  /** Size of one attention head: H / heads. */
  public int headSize() {
    return hiddenSize / numAttentionHeads;
  }

  /**
   * The backbone keys of {@code m}; other keys (a CALM preset's noise_size, ...) are ignored.
   *
   * @throws CalmException "WHERE: missing KEY, ..." when a backbone key is absent
   */
  public static BackboneConfig fromMap(Map<String, Number> m, String where) {
    List<String> missing = Settings.missing(m, SETTINGS);
    if (!missing.isEmpty()) {
      throw new CalmException(where + ": missing " + String.join(", ", missing));
    }
    return new BackboneConfig(
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
}
