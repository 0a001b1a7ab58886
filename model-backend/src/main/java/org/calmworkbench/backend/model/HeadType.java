package org.calmworkbench.backend.model;

import java.util.Arrays;
import java.util.Locale;
import org.calmworkbench.backend.CalmException;

/** Which generative head turns the Transformer's hidden state into the next latent vector. */
public enum HeadType {
  /** The paper's single-step implicit sampler trained with the energy score ({@link EnergyHead}). */
  ENERGY,
  /** Rectified flow: a velocity field integrated from Gaussian noise with an ODE solver ({@link FlowHead}). */
  FLOW,
  /** DDPM epsilon prediction with a cosine schedule, sampled ancestrally or with DDIM ({@link DiffusionHead}). */
  DIFFUSION;

  /** The name used by {@code --head} and config.json's {@code "head"}. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * @param where names the source in the error ("--head", a config.json path)
   * @throws CalmException naming the value and the choices
   */
  public static HeadType parse(String s, String where) {
    if (s != null) {
      for (HeadType h : values()) {
        if (h.key().equals(s.trim().toLowerCase(Locale.ROOT))) {
          return h;
        }
      }
    }
    throw new CalmException(where + ": unknown head '" + s + "'; choose one of: "
        + String.join(", ", Arrays.stream(values()).map(HeadType::key).toList()));
  }
}
