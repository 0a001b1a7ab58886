package org.calmworkbench.backend.experiment;

import org.calmworkbench.backend.model.InputMode;

/**
 * One cell of an experiment grid: a CALM model (K, head, input, latent size) or the AR baseline,
 * with one seed.
 *
 * @param patchSize K; 1 for the AR baseline (one token per step)
 * @param head the generative head ("energy", ...); "softmax" for the AR baseline
 * @param input what the Transformer reads; discrete for the AR baseline
 * @param latentSize L; 0 for the AR baseline (it has no latent)
 * @param ar the autoregressive baseline
 */
public record ExperimentCell(int patchSize, String head, InputMode input, int latentSize, long seed, boolean ar) {
  public static final String AR_HEAD = "softmax";

  public static ExperimentCell calm(int k, String head, InputMode input, int latentSize, long seed) {
    return new ExperimentCell(k, head, input, latentSize, seed, false);
  }

  public static ExperimentCell ar(long seed) {
    return new ExperimentCell(1, AR_HEAD, InputMode.DISCRETE, 0, seed, true);
  }

  /** The cell's folder name under {@code DIR/cells/}: {@code k4-l16-energy-discrete-s42} or {@code ar-s42}. */
  public String id() {
    return ar ? "ar-s" + seed : "k" + patchSize + "-l" + latentSize + "-" + head + "-" + input.key() + "-s" + seed;
  }

  /** The autoencoder this cell's LM is trained on (one per K, L and seed); null for the AR baseline. */
  public String autoencoderId() {
    return ar ? null : "k" + patchSize + "-l" + latentSize + "-s" + seed;
  }

  /** "calm" or "ar". */
  public String model() {
    return ar ? "ar" : "calm";
  }

  /** Generation steps per 100 tokens: 100 / K for CALM, 100 for the AR baseline. */
  public double stepsPer100Tokens() {
    return 100.0 / patchSize;
  }
}
