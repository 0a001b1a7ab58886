package org.calmworkbench.backend.model;

import static org.calmworkbench.backend.config.Setting.doubleSetting;
import static org.calmworkbench.backend.config.Setting.intSetting;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.config.Setting;
import org.calmworkbench.backend.config.Settings;

/**
 * The settings of CALM's generative head, one record per head type, each with only its own keys.
 * The depth {@code num_mlp_layers} and the width {@code hidden_size} are shared by every head and
 * live in {@link CalmConfig}.
 *
 * <p>In config.json the head's keys sit flat beside the others (the energy head's under the
 * official CALMConfig names); the head type is the model_type ({@link ModelType}).
 */
public sealed interface HeadConfig {
  int EULER = 1;
  int MIDPOINT = 2;

  /**
   * The paper's energy head.
   *
   * @param noiseSize width of the uniform noise the head turns into a latent
   * @param numSamples N: head samples per position in the energy loss
   * @param beta distance exponent of the energy score, in (0, 2)
   * @param targetSamples M: samples of the autoencoder posterior per target in the energy loss
   */
  record Energy(int noiseSize, int numSamples, double beta, int targetSamples) implements HeadConfig {
    /**
     * Used for a config.json without target_samples (written before it was stored there): the
     * value of the default {@code tiny} preset.
     */
    public static final int DEFAULT_TARGET_SAMPLES = 8;

    public Energy {
      if (!(beta > 0 && beta < 2)) {
        throw new CalmException("beta must lie strictly between 0 and 2 (the energy score is only strictly proper"
            + " there); got " + beta);
      }
      if (numSamples < 2) {
        throw new CalmException("num_samples must be at least 2 (the energy score compares samples pairwise);"
            + " got " + numSamples);
      }
    }

    @Override
    public HeadType type() {
      return HeadType.ENERGY;
    }

    @Override
    public int lossSamples() {
      return targetSamples;
    }

    @Override
    public Map<String, Number> toMap() {
      Map<String, Number> m = new LinkedHashMap<>();
      m.put("noise_size", noiseSize);
      m.put("num_samples", numSamples);
      m.put("beta", beta);
      m.put("target_samples", targetSamples);
      return m;
    }
  }

  /**
   * Rectified flow.
   *
   * @param headSamples posterior samples (each with its own noise and time) per position in the loss
   * @param flowSteps ODE steps from noise (t = 0) to data (t = 1)
   * @param flowSolver {@link #EULER} or {@link #MIDPOINT}
   */
  record Flow(int headSamples, int flowSteps, int flowSolver) implements HeadConfig {
    public Flow {
      if (flowSolver != EULER && flowSolver != MIDPOINT) {
        throw new CalmException("flow_solver must be 1 (euler) or 2 (midpoint), got " + flowSolver);
      }
    }

    @Override
    public HeadType type() {
      return HeadType.FLOW;
    }

    @Override
    public int lossSamples() {
      return headSamples;
    }

    @Override
    public Map<String, Number> toMap() {
      Map<String, Number> m = new LinkedHashMap<>();
      m.put("head_samples", headSamples);
      m.put("flow_steps", flowSteps);
      m.put("flow_solver", flowSolver);
      return m;
    }
  }

  /**
   * DDPM epsilon prediction on a cosine schedule.
   *
   * @param headSamples posterior samples (each with its own noise and time) per position in the loss
   * @param diffusionSteps sampling steps, respaced from diffusionTrainSteps
   * @param diffusionTrainSteps T, the discrete timesteps of the training schedule
   * @param diffusionEta 1 = DDPM ancestral steps, 0 = deterministic DDIM
   */
  record Diffusion(int headSamples, int diffusionSteps, int diffusionTrainSteps, double diffusionEta)
      implements HeadConfig {
    public Diffusion {
      if (diffusionSteps > diffusionTrainSteps) {
        throw new CalmException("diffusion_steps (" + diffusionSteps + ") must not exceed diffusion_train_steps ("
            + diffusionTrainSteps + ")");
      }
    }

    @Override
    public HeadType type() {
      return HeadType.DIFFUSION;
    }

    @Override
    public int lossSamples() {
      return headSamples;
    }

    @Override
    public Map<String, Number> toMap() {
      Map<String, Number> m = new LinkedHashMap<>();
      m.put("head_samples", headSamples);
      m.put("diffusion_steps", diffusionSteps);
      m.put("diffusion_train_steps", diffusionTrainSteps);
      m.put("diffusion_eta", diffusionEta);
      return m;
    }
  }

  HeadType type();

  /** Posterior samples per target in the training loss: M (target_samples) or head_samples. */
  int lossSamples();

  /** This head's settings under their config.json / {@code --set} names. */
  Map<String, Number> toMap();

  List<Setting> ENERGY_SETTINGS =
      List.of(
          intSetting("noise_size", 1, 1 << 14, "Width of the uniform noise the energy head turns into a latent."),
          intSetting("num_samples", 2, 1024, "Samples N the energy head draws per position for the energy loss."),
          doubleSetting("beta", 0, 2, "Distance exponent of the energy score; strictly proper for 0 < beta < 2."),
          intSetting("target_samples", 1, 4096, "Samples M of the autoencoder posterior per target in the energy loss."));

  Setting HEAD_SAMPLES =
      intSetting("head_samples", 1, 1024,
          "Flow/diffusion heads: posterior samples per position in the loss, each with its own noise and time.");

  List<Setting> FLOW_SETTINGS =
      List.of(
          HEAD_SAMPLES,
          intSetting("flow_steps", 1, 10000, "Flow head: ODE steps from noise to a latent when sampling."),
          intSetting("flow_solver", 1, 2, "Flow head: ODE solver, 1 = Euler, 2 = midpoint (also: euler, midpoint)."));

  List<Setting> DIFFUSION_SETTINGS =
      List.of(
          HEAD_SAMPLES,
          intSetting("diffusion_steps", 2, 100000, "Diffusion head: sampling steps, respaced evenly from diffusion_train_steps."),
          intSetting("diffusion_train_steps", 2, 100000, "Diffusion head: timesteps T of the cosine schedule the head is trained on."),
          doubleSetting("diffusion_eta", 0, 1,
              "Diffusion head: sampler noise, 1 = DDPM ancestral (respaced), 0 = deterministic DDIM."));

  /** Every head's settings, each key once. */
  List<Setting> SETTINGS = List.of(ENERGY_SETTINGS.get(0), ENERGY_SETTINGS.get(1), ENERGY_SETTINGS.get(2),
      ENERGY_SETTINGS.get(3), HEAD_SAMPLES, FLOW_SETTINGS.get(1), FLOW_SETTINGS.get(2), DIFFUSION_SETTINGS.get(1),
      DIFFUSION_SETTINGS.get(2), DIFFUSION_SETTINGS.get(3));

  /** The settings of {@code type}. */
  static List<Setting> settings(HeadType type) {
    return switch (type) {
      case ENERGY -> ENERGY_SETTINGS;
      case FLOW -> FLOW_SETTINGS;
      case DIFFUSION -> DIFFUSION_SETTINGS;
    };
  }

  /** The keys of {@code type}'s settings. */
  static List<String> ownKeys(HeadType type) {
    return settings(type).stream().map(Setting::key).toList();
  }

  /**
   * The defaults of the flow head (4 head samples, 10 midpoint steps) and the diffusion head (4
   * head samples, 25 ancestral (eta = 1) steps respaced from T = 1000). The energy head has none
   * here: its values come from the LM preset ({@code LmPresets}).
   */
  Map<HeadType, Map<String, Number>> DEFAULTS = Map.of(
      HeadType.ENERGY, Map.of(),
      HeadType.FLOW, new Flow(4, 10, MIDPOINT).toMap(),
      HeadType.DIFFUSION, new Diffusion(4, 25, 1000, 1.0).toMap());

  /**
   * The default flow or diffusion head ({@link #DEFAULTS}).
   *
   * @throws CalmException for the energy head, whose settings come from a preset
   */
  static HeadConfig defaults(HeadType type) {
    return fromMap(type, Map.of(), "the " + type.key() + " head's defaults");
  }

  /**
   * The head of {@code type} from the keys of {@code m} (other keys ignored); a flow or diffusion
   * key that is absent takes its default ({@link #DEFAULTS}), and so does the energy head's
   * target_samples ({@link Energy#DEFAULT_TARGET_SAMPLES}).
   *
   * @throws CalmException "WHERE: missing KEY, ..." for an absent energy-head key
   */
  static HeadConfig fromMap(HeadType type, Map<String, Number> m, String where) {
    Map<String, Number> v = new LinkedHashMap<>(DEFAULTS.get(type));
    for (String k : ownKeys(type)) {
      if (m.containsKey(k)) {
        v.put(k, m.get(k));
      }
    }
    if (type == HeadType.ENERGY) {
      v.putIfAbsent("target_samples", Energy.DEFAULT_TARGET_SAMPLES);
      List<String> missing = Settings.missing(v, ENERGY_SETTINGS);
      if (!missing.isEmpty()) {
        throw new CalmException(where + ": missing " + String.join(", ", missing));
      }
    }
    try {
      return build(type, v);
    } catch (CalmException e) { // a value out of range: say where it came from (found by ReaderFuzzTest)
      throw e.getMessage().startsWith(where) ? e : new CalmException(where + ": " + e.getMessage(), e);
    }
  }

  private static HeadConfig build(HeadType type, Map<String, Number> v) {
    return switch (type) {
      case ENERGY -> new Energy(v.get("noise_size").intValue(), v.get("num_samples").intValue(),
          v.get("beta").doubleValue(), v.get("target_samples").intValue());
      case FLOW -> new Flow(v.get("head_samples").intValue(), v.get("flow_steps").intValue(),
          v.get("flow_solver").intValue());
      case DIFFUSION -> new Diffusion(v.get("head_samples").intValue(), v.get("diffusion_steps").intValue(),
          v.get("diffusion_train_steps").intValue(), v.get("diffusion_eta").doubleValue());
    };
  }

  /** The heads that use {@code key}, or an empty list if it is no head key. */
  static List<HeadType> usersOf(String key) {
    List<HeadType> out = new ArrayList<>();
    for (HeadType t : HeadType.values()) {
      if (ownKeys(t).contains(key)) {
        out.add(t);
      }
    }
    return out;
  }

  /**
   * Refuses keys of another head: {@code --set flow_steps=4} with the energy head, {@code --set
   * beta=1.5} with the flow head.
   *
   * @throws CalmException naming the first such key, the heads it belongs to and {@code where}
   */
  static void checkKeys(HeadType type, Collection<String> keys, String where) {
    for (String k : keys) {
      List<HeadType> users = usersOf(k);
      if (!users.isEmpty() && !users.contains(type)) {
        throw new CalmException(where + ": " + k + " is not a setting of the " + type.key() + " head (it belongs to the "
            + String.join(" and ", users.stream().map(HeadType::key).toList()) + " head"
            + (users.size() > 1 ? "s" : "") + "); " + type.key() + "-head keys: " + String.join(", ", ownKeys(type)));
      }
    }
  }

  /**
   * {@code flow_solver=euler|midpoint} as the number the setting stores; every other assignment
   * unchanged.
   *
   * @throws CalmException for a flow_solver that is none of euler, midpoint, 1, 2
   */
  static String normalizeAssignment(String assignment) {
    int eq = assignment.indexOf('=');
    if (eq > 0 && assignment.substring(0, eq).trim().equals("flow_solver")) {
      String v = assignment.substring(eq + 1).trim().toLowerCase(Locale.ROOT);
      if (v.equals("euler")) {
        return "flow_solver=" + EULER;
      }
      if (v.equals("midpoint")) {
        return "flow_solver=" + MIDPOINT;
      }
      if (!v.equals("1") && !v.equals("2")) {
        throw new CalmException("--set: flow_solver must be euler, midpoint, 1 or 2; got '"
            + assignment.substring(eq + 1).trim() + "'");
      }
    }
    return assignment;
  }

  static String solverName(int solver) {
    return solver == EULER ? "euler" : "midpoint";
  }

  /** A copy with the keys of this head found in {@code overrides} applied (others ignored). */
  default HeadConfig with(Map<String, Number> overrides) {
    Map<String, Number> m = toMap();
    overrides.forEach((k, v) -> {
      if (m.containsKey(k)) {
        m.put(k, v);
      }
    });
    return fromMap(type(), m, "settings");
  }

  /** Adds this head's keys to a config.json object (the flow solver by name). */
  default void writeTo(JsonObject o) {
    toMap().forEach((k, v) -> {
      if (k.equals("flow_solver")) {
        o.addProperty(k, solverName(v.intValue()));
      } else {
        o.addProperty(k, v);
      }
    });
  }

  /**
   * Reads the keys of the {@code type} head from a config.json object (see {@link #fromMap} for
   * absent keys).
   *
   * @throws CalmException naming {@code where} and the key for a bad value
   */
  static HeadConfig read(HeadType type, JsonObject o, String where) {
    JsonObject numeric = o.deepCopy();
    JsonElement solver = o.get("flow_solver");
    if (type == HeadType.FLOW && solver != null && solver.isJsonPrimitive() && solver.getAsJsonPrimitive().isString()) {
      String name = solver.getAsString().trim().toLowerCase(Locale.ROOT);
      if (!name.equals("euler") && !name.equals("midpoint")) {
        throw new CalmException(where + ": flow_solver must be \"euler\" or \"midpoint\", got " + solver);
      }
      numeric.addProperty("flow_solver", name.equals("euler") ? EULER : MIDPOINT);
    }
    return fromMap(type, Settings.readJson(numeric, settings(type), where), where);
  }
}
