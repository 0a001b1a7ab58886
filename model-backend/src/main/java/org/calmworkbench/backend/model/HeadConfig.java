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
 * The generative head's type and the settings only the flow and diffusion heads have. The energy
 * head's own settings ({@code noise_size}, {@code num_samples}, {@code beta}) stay in {@link
 * CalmConfig} under their official names, and {@code target_samples} in the LM settings.
 *
 * <p>In config.json: {@code "head": "energy|flow|diffusion"} (absent: energy, so checkpoints from
 * before the other heads load unchanged) plus the keys of that head only.
 */
public record HeadConfig(
    HeadType type,
    int headSamples, // flow, diffusion: posterior samples (each with its own noise and time) per position
    int flowSteps, // flow: ODE steps from noise (t = 0) to data (t = 1)
    int flowSolver, // flow: 1 = Euler, 2 = midpoint
    int diffusionSteps, // diffusion: sampling steps (respaced from diffusionTrainSteps)
    int diffusionTrainSteps, // diffusion: T, the discrete timesteps of the training schedule
    double diffusionEta) { // diffusion: 1 = DDPM ancestral steps, 0 = deterministic DDIM

  public static final int EULER = 1;
  public static final int MIDPOINT = 2;

  public static final List<Setting> SETTINGS =
      List.of(
          intSetting("head_samples", 1, 1024,
              "Flow/diffusion heads: posterior samples per position in the loss, each with its own noise and time."),
          intSetting("flow_steps", 1, 10000, "Flow head: ODE steps from noise to a latent when sampling."),
          intSetting("flow_solver", 1, 2, "Flow head: ODE solver, 1 = Euler, 2 = midpoint (also: euler, midpoint)."),
          intSetting("diffusion_steps", 2, 100000,
              "Diffusion head: sampling steps, respaced evenly from diffusion_train_steps."),
          intSetting("diffusion_train_steps", 2, 100000,
              "Diffusion head: timesteps T of the cosine schedule the head is trained on."),
          doubleSetting("diffusion_eta", 0, 1,
              "Diffusion head: sampler noise, 1 = DDPM ancestral (respaced), 0 = deterministic DDIM."));

  /** Keys only the energy head uses; another head refuses them. */
  public static final List<String> ENERGY_KEYS = List.of("noise_size", "num_samples", "beta", "target_samples");

  public HeadConfig {
    if (type == null) {
      throw new CalmException("no head type given");
    }
    if (diffusionSteps > diffusionTrainSteps) {
      throw new CalmException("diffusion_steps (" + diffusionSteps + ") must not exceed diffusion_train_steps ("
          + diffusionTrainSteps + ")");
    }
    if (flowSolver != EULER && flowSolver != MIDPOINT) {
      throw new CalmException("flow_solver must be 1 (euler) or 2 (midpoint), got " + flowSolver);
    }
  }

  /**
   * The defaults of {@code type}: 4 head samples; 10 midpoint flow steps; 25 ancestral (eta = 1)
   * diffusion steps respaced from T = 1000.
   */
  public static HeadConfig defaults(HeadType type) {
    return new HeadConfig(type, 4, 10, MIDPOINT, 25, 1000, 1.0);
  }

  public static HeadConfig energy() {
    return defaults(HeadType.ENERGY);
  }

  /** The keys of {@link #SETTINGS} that {@code type} uses. */
  public static List<String> ownKeys(HeadType type) {
    return switch (type) {
      case ENERGY -> List.of();
      case FLOW -> List.of("head_samples", "flow_steps", "flow_solver");
      case DIFFUSION -> List.of("head_samples", "diffusion_steps", "diffusion_train_steps", "diffusion_eta");
    };
  }

  /** The heads that use {@code key}, or an empty list if every head does (or it is no head key). */
  public static List<HeadType> usersOf(String key) {
    List<HeadType> out = new ArrayList<>();
    if (ENERGY_KEYS.contains(key)) {
      out.add(HeadType.ENERGY);
    }
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
  public static void checkKeys(HeadType type, Collection<String> keys, String where) {
    for (String k : keys) {
      List<HeadType> users = usersOf(k);
      if (!users.isEmpty() && !users.contains(type)) {
        throw new CalmException(where + ": " + k + " is not a setting of the " + type.key() + " head (it belongs to the "
            + String.join(" and ", users.stream().map(HeadType::key).toList()) + " head"
            + (users.size() > 1 ? "s" : "") + "); " + type.key() + "-head keys: "
            + (ownKeys(type).isEmpty() && type != HeadType.ENERGY ? "none" : String.join(", ",
                type == HeadType.ENERGY ? ENERGY_KEYS : ownKeys(type))));
      }
    }
  }

  /**
   * {@code flow_solver=euler|midpoint} as the number the setting stores; every other assignment
   * unchanged.
   *
   * @throws CalmException for a flow_solver that is none of euler, midpoint, 1, 2
   */
  public static String normalizeAssignment(String assignment) {
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

  public static String solverName(int solver) {
    return solver == EULER ? "euler" : "midpoint";
  }

  /** The values of {@link #SETTINGS} (all of them; only {@link #ownKeys} matter for this type). */
  public Map<String, Number> toMap() {
    Map<String, Number> m = new LinkedHashMap<>();
    m.put("head_samples", headSamples);
    m.put("flow_steps", flowSteps);
    m.put("flow_solver", flowSolver);
    m.put("diffusion_steps", diffusionSteps);
    m.put("diffusion_train_steps", diffusionTrainSteps);
    m.put("diffusion_eta", diffusionEta);
    return m;
  }

  private static HeadConfig fromMap(HeadType type, Map<String, Number> m) {
    return new HeadConfig(type, m.get("head_samples").intValue(), m.get("flow_steps").intValue(),
        m.get("flow_solver").intValue(), m.get("diffusion_steps").intValue(), m.get("diffusion_train_steps").intValue(),
        m.get("diffusion_eta").doubleValue());
  }

  /** A copy with the keys of {@link #SETTINGS} found in {@code overrides} applied (others ignored). */
  public HeadConfig with(Map<String, Number> overrides) {
    Map<String, Number> m = toMap();
    overrides.forEach((k, v) -> {
      if (m.containsKey(k)) {
        m.put(k, v);
      }
    });
    return fromMap(type, m);
  }

  /** Adds {@code "head"} and this head's own keys to a config.json object (the solver by name). */
  public void writeTo(JsonObject o) {
    o.addProperty("head", type.key());
    Map<String, Number> m = toMap();
    for (String k : ownKeys(type)) {
      if (k.equals("flow_solver")) {
        o.addProperty(k, solverName(flowSolver));
      } else {
        o.addProperty(k, m.get(k));
      }
    }
  }

  /**
   * Reads {@code "head"} (absent: energy) and that head's keys (absent: the defaults) from a
   * config.json object.
   *
   * @throws CalmException naming {@code where} and the key for an unknown head or a bad value
   */
  public static HeadConfig read(JsonObject o, String where) {
    JsonElement h = o.get("head");
    if (h != null && !(h.isJsonPrimitive() && h.getAsJsonPrimitive().isString())) {
      throw new CalmException(where + ": \"head\" must be a string (energy, flow or diffusion), got " + h);
    }
    HeadType type = h == null ? HeadType.ENERGY : HeadType.parse(h.getAsString(), where + " \"head\"");
    JsonObject numeric = o.deepCopy();
    JsonElement solver = o.get("flow_solver");
    if (solver != null && solver.isJsonPrimitive() && solver.getAsJsonPrimitive().isString()) {
      String name = solver.getAsString().trim().toLowerCase(Locale.ROOT);
      if (!name.equals("euler") && !name.equals("midpoint")) {
        throw new CalmException(where + ": flow_solver must be \"euler\" or \"midpoint\", got " + solver);
      }
      numeric.addProperty("flow_solver", name.equals("euler") ? EULER : MIDPOINT);
    }
    Map<String, Number> values = Settings.readJson(numeric, SETTINGS, where);
    values.keySet().retainAll(ownKeys(type));
    return defaults(type).with(values);
  }
}
