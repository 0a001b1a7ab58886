package org.calmworkbench.backend.model;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.calmworkbench.backend.CalmException;

/**
 * What a checkpoint folder holds, as config.json's {@code "model_type"} (and trainer_state.json's
 * {@code "kind"}) names it. A CALM language model's type names its generative head.
 *
 * <p>Older files: CALM checkpoints written before the head had its own model type say {@code
 * "calm_energy"} for every head and name the head in {@code "head"} ({@link #of(JsonObject,
 * String)} reads them as the head's type); a trainer_state.json of such a run says {@code
 * "calm_energy"} too ({@link #isSavedAs}).
 */
public enum ModelType {
  AUTOENCODER("calm_autoencoder", null),
  CALM_ENERGY("calm_energy", HeadType.ENERGY),
  CALM_FLOW("calm_flow", HeadType.FLOW),
  CALM_DIFFUSION("calm_diffusion", HeadType.DIFFUSION),
  AR("calm_ar", null);

  private final String key;
  private final HeadType head;

  ModelType(String key, HeadType head) {
    this.key = key;
    this.head = head;
  }

  /** The string in config.json. */
  public String key() {
    return key;
  }

  /** A CALM language model (any head)? */
  public boolean isCalm() {
    return head != null;
  }

  /**
   * The generative head of a CALM type.
   *
   * @throws IllegalStateException for the autoencoder and the AR baseline, which have none
   */
  public HeadType head() {
    if (head == null) {
      throw new IllegalStateException(key + " has no generative head");
    }
    return head;
  }

  /** The CALM model type with {@code head}. */
  public static ModelType calm(HeadType head) {
    for (ModelType t : values()) {
      if (t.head == head) {
        return t;
      }
    }
    throw new IllegalArgumentException("no model type for head " + head);
  }

  /**
   * The official CALM code's model_types: {@code AutoencoderConfig}'s and {@code CALMConfig}'s, whose
   * value names the head ({@code EnergyTransformer}, {@code FlowTransformer}, {@code DiffusionTransformer}).
   */
  static final Map<String, ModelType> OFFICIAL = Map.of(
      "autoencoder", AUTOENCODER, "energy", CALM_ENERGY, "flow", CALM_FLOW, "diffusion", CALM_DIFFUSION);

  /** The type written as {@code key} (or an official model_type, {@link #OFFICIAL}), if it is one. */
  public static Optional<ModelType> fromKey(String key) {
    if (OFFICIAL.containsKey(key)) {
      return Optional.of(OFFICIAL.get(key));
    }
    return Arrays.stream(values()).filter(t -> t.key.equals(key)).findFirst();
  }

  /**
   * Whether a trainer_state.json whose kind is {@code savedKind} belongs to a run of this type:
   * the same key, or {@code "calm_energy"} for any CALM head (runs from before the head types).
   */
  public boolean isSavedAs(String savedKind) {
    return key.equals(savedKind) || (isCalm() && CALM_ENERGY.key.equals(savedKind));
  }

  /**
   * The type of a config.json object: its {@code "model_type"}, with the legacy {@code
   * "calm_energy"} of a flow or diffusion run read from its {@code "head"}.
   *
   * @param where names the file in errors
   * @throws CalmException naming {@code where} for a missing or unknown model_type, an unknown head,
   *     or a {@code "head"} that contradicts the model_type
   */
  public static ModelType of(JsonObject config, String where) {
    JsonElement mt = config.get("model_type");
    if (mt == null || !mt.isJsonPrimitive()) {
      throw new CalmException(where + " has no \"model_type\"; is this a checkpoint written by calm-workbench"
          + " or the official CALM code?");
    }
    ModelType type = fromKey(mt.getAsString()).orElseThrow(() -> new CalmException(where + ": unknown model_type \""
        + mt.getAsString() + "\"; known: " + String.join(", ", Arrays.stream(values()).map(ModelType::key).toList())));
    JsonElement h = config.get("head");
    if (h == null || !type.isCalm()) {
      return type;
    }
    if (!(h.isJsonPrimitive() && h.getAsJsonPrimitive().isString())) {
      throw new CalmException(where + ": \"head\" must be a string (energy, flow or diffusion), got " + h);
    }
    HeadType named = HeadType.parse(h.getAsString(), where + " \"head\"");
    if (type == CALM_ENERGY) {
      return calm(named); // written before the head had its own model type
    }
    if (named != type.head) {
      throw new CalmException(where + ": \"head\" is \"" + named.key() + "\" but model_type \"" + type.key
          + "\" has the " + type.head.key() + " head");
    }
    return type;
  }
}
