package org.calmworkbench.backend.train;

import static org.calmworkbench.backend.config.Setting.intSetting;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.config.Setting;

/**
 * Language-model data and evaluation settings on top of {@link TrainConfig}, shared by CALM and
 * the AR baseline. The energy loss's {@code target_samples} is a setting of the energy head ({@link
 * org.calmworkbench.backend.model.HeadConfig.Energy}).
 */
public record LmSettings(
    int contextChunks, // P: chunks per training sequence (context length = P*K tokens)
    int evalPositions, // held-out positions per BrierLM evaluation during training
    int standardizeLatents) { // 1: the head predicts per-dimension standardised latents (LatentScale); 0: raw

  public LmSettings {
    if (standardizeLatents != 0 && standardizeLatents != 1) {
      throw new CalmException("standardize_latents must be 0 or 1, got " + standardizeLatents);
    }
  }

  public LmSettings(int contextChunks, int evalPositions) {
    this(contextChunks, evalPositions, 0);
  }

  public static final List<Setting> SETTINGS =
      List.of(
          intSetting("context_chunks", 2, 1 << 16, "Chunks per training sequence; the context is this times K tokens."),
          intSetting("eval_positions", 0, 1 << 22, "Held-out positions per BrierLM evaluation during training (0: none)."),
          intSetting("standardize_latents", 0, 1,
              "1: the head predicts latents standardised per dimension (statistics measured at the start, kept in"
                  + " latent_scale.json); 0: raw latents, as in the paper."));

  public static LmSettings fromMap(Map<String, Number> m) {
    return new LmSettings(m.get("context_chunks").intValue(), m.get("eval_positions").intValue(),
        m.getOrDefault("standardize_latents", 0).intValue());
  }

  public Map<String, Number> toMap() {
    Map<String, Number> m = new LinkedHashMap<>();
    m.put("context_chunks", contextChunks);
    m.put("eval_positions", evalPositions);
    m.put("standardize_latents", standardizeLatents);
    return m;
  }

  public LmSettings with(Map<String, Number> overrides) {
    Map<String, Number> m = toMap();
    overrides.forEach((k, v) -> {
      if (m.containsKey(k)) {
        m.put(k, v);
      }
    });
    return fromMap(m);
  }
}
