package org.calmworkbench.backend.model;

import java.util.Locale;
import org.calmworkbench.backend.CalmException;

/**
 * What the CALM Transformer reads at each step (the paper's input ablation).
 *
 * <ul>
 *   <li>{@code DISCRETE} (the paper's choice): the previous chunk's K token embeddings via
 *       {@code embed_proj};
 *   <li>{@code LATENT}: the previous chunk's latent vector (the autoencoder's mean when training,
 *       the model's own sample when generating) via {@code latent_proj};
 *   <li>{@code BOTH}: the sum of the two.
 * </ul>
 */
public enum InputMode {
  DISCRETE,
  LATENT,
  BOTH;

  public boolean usesTokens() {
    return this != LATENT;
  }

  public boolean usesLatents() {
    return this != DISCRETE;
  }

  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static InputMode parse(String s) {
    for (InputMode m : values()) {
      if (m.key().equals(s)) {
        return m;
      }
    }
    throw new CalmException("input mode must be discrete, latent or both; got '" + s + "'");
  }
}
