package org.calmworkbench.backend.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.model.CalmConfig;
import org.calmworkbench.backend.model.HeadConfig;
import org.calmworkbench.backend.model.HeadType;

/**
 * Named presets for the language models (CALM and the AR baseline share the backbone settings).
 * vocab_size, patch_size and latent_size always come from the tokenizer and autoencoder.
 *
 * <p>Decision (recipe ablation, docs/EXPERIMENTS.md): what CALM lacks at workbench scale is
 * optimizer steps. Its held-out energy loss stays at the context-free (marginal) level for the
 * first ~2,000 steps whatever the recipe (latent geometry, standardised targets, 3x learning rate,
 * a backbone warm-started from a trained AR baseline), then falls steadily; the AR baseline is
 * useful after a few hundred. So the {@code tiny} preset is the classroom recipe: a model small
 * enough for ~40 steps a second on one core (the K sweep's 32-token windows, batch 8, M = 8) and
 * 12,000 steps. {@code laptop} keeps its larger shape for longer runs; at 1,000 steps it is still at
 * the marginal level (docs/BENCHMARKS.md section 4).
 */
public final class LmPresets {
  private LmPresets() {}

  public static final String DEFAULT = "tiny";

  public record Preset(String name, String description, Map<String, Number> model, TrainConfig train, LmSettings lm) {
    /**
     * The CALM model of this preset with {@code head}: the energy head's settings from the preset,
     * a flow or diffusion head's from its defaults ({@link HeadConfig#DEFAULTS}).
     */
    public CalmConfig calmConfig(int vocabSize, int patchSize, int latentSize, HeadType head) {
      Map<String, Number> m = new LinkedHashMap<>(model);
      m.put("vocab_size", vocabSize);
      m.put("patch_size", patchSize);
      m.put("latent_size", latentSize);
      return CalmConfig.fromMap(m, head, "preset " + name);
    }
  }

  private static Map<String, Number> model(int hidden, int intermediate, int layers, int heads, int noise, int mlpLayers,
      int targetSamples) {
    Map<String, Number> m = new LinkedHashMap<>();
    m.put("hidden_size", hidden);
    m.put("intermediate_size", intermediate);
    m.put("num_hidden_layers", layers);
    m.put("num_attention_heads", heads);
    m.put("noise_size", noise);
    m.put("num_mlp_layers", mlpLayers);
    m.put("rms_norm_eps", 1e-6);
    m.put("rope_theta", 10000.0);
    m.put("num_samples", 8);
    m.put("beta", 1.0);
    m.put("target_samples", targetSamples);
    return m;
  }

  public static final List<Preset> ALL =
      List.of(
          new Preset("tiny", "H=64, 2 layers, 32-token context, batch 8, 12,000 steps: CALM learns in about 5 minutes"
              + " of one CPU core (the AR baseline sooner); the classroom recipe",
              model(64, 128, 2, 4, 16, 2, 8),
              new TrainConfig(2e-3, 20, 8, 12000, 0, 42, 0.1, 0.9, 0.95, 1.0, 2000, 60),
              new LmSettings(8, 1000)),
          new Preset("laptop", "H=256, 4 layers, context 32 chunks, M=32 target samples: about 15 min on 2 CPU cores; still at the marginal level after its 1,000 steps (docs/BENCHMARKS.md section 4)",
              model(256, 768, 4, 4, 64, 2, 32),
              new TrainConfig(1e-3, 100, 16, 1000, 0, 42, 0.1, 0.9, 0.95, 1.0, 200, 120),
              new LmSettings(32, 1024)),
          new Preset("paper-m", "CALM-M-like shape (H=1024, 16 layers); far too slow for a CPU, here for reference",
              model(1024, 2752, 16, 16, 64, 4, 100),
              new TrainConfig(3e-4, 2000, 64, 250000, 0, 42, 0.1, 0.9, 0.95, 1.0, 1000, 600),
              new LmSettings(512, 4096)));

  public static Preset get(String name) {
    for (Preset p : ALL) {
      if (p.name().equals(name)) {
        return p;
      }
    }
    throw new CalmException("unknown preset '" + name + "'; choose one of: "
        + String.join(", ", ALL.stream().map(Preset::name).toList()));
  }
}
