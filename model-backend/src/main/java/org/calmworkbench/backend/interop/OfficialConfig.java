package org.calmworkbench.backend.interop;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.model.AutoencoderConfig;
import org.calmworkbench.backend.model.CalmConfig;
import org.calmworkbench.backend.model.HeadConfig;
import org.calmworkbench.backend.model.HeadType;

/**
 * config.json as the official code's {@code save_pretrained} writes it: every argument of
 * {@code AutoencoderConfig.__init__} / {@code CALMConfig.__init__} (models/configuration_*.py of
 * github.com/shaochenze/calm) in that order, plus the {@code PretrainedConfig} bookkeeping keys.
 * Values the workbench has no setting for take the official defaults (the workbench's Llama layers
 * are those defaults: SiLU, no biases, no GQA, no rope scaling).
 */
public final class OfficialConfig {
  private OfficialConfig() {}

  /** The transformers version the official requirements.txt pins; written as save_pretrained would. */
  public static final String TRANSFORMERS_VERSION = "4.43.0";

  /** The official default of {@code max_position_embeddings} (positions are chunks for CALM). */
  static final int MAX_POSITIONS = 2048;

  /** The autoencoder's config.json ({@code Autoencoder}, model_type "autoencoder"). */
  public static JsonObject autoencoder(AutoencoderConfig c, HfTokenizerFolder.Roles roles) {
    JsonObject o = new JsonObject();
    o.add("architectures", array("Autoencoder"));
    o.addProperty("ae_dropout", c.aeDropout());
    o.addProperty("kl_clamp", c.klClamp());
    o.addProperty("kl_weight", c.klWeight());
    o.addProperty("patch_size", c.patchSize());
    o.addProperty("vocab_size", c.vocabSize());
    o.addProperty("hidden_size", c.hiddenSize());
    o.addProperty("intermediate_size", c.intermediateSize());
    o.addProperty("num_encoder_layers", c.numEncoderLayers());
    o.addProperty("num_decoder_layers", c.numDecoderLayers());
    o.addProperty("latent_size", c.latentSize());
    o.addProperty("hidden_act", "silu");
    o.addProperty("max_position_embeddings", MAX_POSITIONS);
    o.addProperty("initializer_range", 0.02);
    o.addProperty("rms_norm_eps", c.rmsNormEps());
    tokenIds(o, roles);
    o.addProperty("pretraining_tp", 1);
    o.addProperty("tie_word_embeddings", false); // tied by assignment in Autoencoder.__init__, not by HF
    o.addProperty("mlp_bias", false);
    bookkeeping(o, "autoencoder");
    return o;
  }

  /**
   * A CALM language model's config.json. {@code aePath} is written as given (the official training
   * script overwrites it with {@code --ae_name_or_path}); {@code contextChunks} raises
   * max_position_embeddings when a run's context is longer than the official default.
   *
   * @throws CalmException for a head whose settings the official config cannot hold
   */
  public static JsonObject calm(CalmConfig c, int contextChunks, HfTokenizerFolder.Roles roles, String aePath) {
    JsonObject o = new JsonObject();
    o.add("architectures", array(architecture(c.head().type())));
    o.addProperty("ae_path", aePath);
    o.addProperty("model_type", c.head().type().key());
    o.addProperty("patch_size", c.patchSize());
    o.addProperty("num_mlp_layers", c.numMlpLayers());
    // The energy head's settings; the flow and diffusion heads of the official code take theirs
    // from their own code, so their CALMConfig keeps these defaults.
    HeadConfig.Energy energy = c.head() instanceof HeadConfig.Energy e ? e : null;
    o.addProperty("num_samples", energy != null ? energy.numSamples() : 8);
    o.addProperty("beta", energy != null ? energy.beta() : 1.0);
    o.addProperty("noise_size", energy != null ? energy.noiseSize() : 64);
    o.addProperty("vocab_size", c.vocabSize());
    o.addProperty("hidden_size", c.hiddenSize());
    o.addProperty("intermediate_size", c.backbone().intermediateSize());
    o.addProperty("num_hidden_layers", c.backbone().numHiddenLayers());
    o.addProperty("latent_size", c.latentSize());
    o.addProperty("num_attention_heads", c.backbone().numAttentionHeads());
    o.addProperty("num_key_value_heads", c.backbone().numAttentionHeads()); // no GQA in the workbench
    o.addProperty("hidden_act", "silu");
    o.addProperty("max_position_embeddings", Math.max(MAX_POSITIONS, contextChunks));
    o.addProperty("initializer_range", 0.02);
    o.addProperty("rms_norm_eps", c.backbone().rmsNormEps());
    o.addProperty("use_cache", true);
    tokenIds(o, roles);
    o.addProperty("pretraining_tp", 1);
    o.addProperty("tie_word_embeddings", false);
    o.addProperty("rope_theta", c.backbone().ropeTheta());
    o.add("rope_scaling", JsonNull.INSTANCE);
    o.addProperty("attention_bias", false);
    o.addProperty("attention_dropout", 0.0);
    o.addProperty("mlp_bias", false);
    bookkeeping(o, null);
    return o;
  }

  /** The official model class of a head (train/train_calm.py picks it from model_type). */
  static String architecture(HeadType head) {
    return switch (head) {
      case ENERGY -> "EnergyTransformer";
      case FLOW -> "FlowTransformer";
      case DIFFUSION -> "DiffusionTransformer";
    };
  }

  /**
   * The {@code --config_overrides} string for {@code keys} of an official config.json:
   * "k=v,k=v" as {@code PretrainedConfig.update_from_string} parses it (ints without a decimal
   * point, floats with one, strings bare; no commas inside values).
   */
  public static String overrides(JsonObject official, List<String> keys) {
    List<String> parts = new ArrayList<>();
    for (String key : keys) {
      JsonElement v = official.get(key);
      if (v == null || !v.isJsonPrimitive()) {
        throw new IllegalArgumentException("no scalar " + key + " in the config");
      }
      JsonPrimitive p = v.getAsJsonPrimitive();
      String text;
      if (p.isNumber()) {
        double d = p.getAsDouble();
        boolean integral = p.getAsNumber() instanceof Integer || p.getAsNumber() instanceof Long;
        text = integral ? Long.toString(p.getAsLong()) : floatText(d);
      } else if (p.isBoolean()) {
        text = p.getAsBoolean() ? "true" : "false";
      } else {
        text = p.getAsString();
      }
      parts.add(key + "=" + text);
    }
    return String.join(",", parts);
  }

  /** A float as Python's float() reads it and with a decimal point or exponent ("1.0", "1e-06"). */
  static String floatText(double d) {
    String s = Double.toString(d); // "1.0", "1.0E-6"
    return s.replace("E", "e").toLowerCase(Locale.ROOT);
  }

  private static void tokenIds(JsonObject o, HfTokenizerFolder.Roles roles) {
    o.add("pad_token_id", roles.padId() >= 0 ? new JsonPrimitive(roles.padId()) : JsonNull.INSTANCE);
    o.add("bos_token_id", roles.bosId() >= 0 ? new JsonPrimitive(roles.bosId()) : JsonNull.INSTANCE);
    o.add("eos_token_id", roles.eosId() >= 0 ? new JsonPrimitive(roles.eosId()) : JsonNull.INSTANCE);
  }

  private static void bookkeeping(JsonObject o, String modelType) {
    if (modelType != null) {
      o.addProperty("model_type", modelType);
    }
    o.addProperty("torch_dtype", "float32");
    o.addProperty("transformers_version", TRANSFORMERS_VERSION);
  }

  private static JsonArray array(String value) {
    JsonArray a = new JsonArray();
    a.add(value);
    return a;
  }
}
