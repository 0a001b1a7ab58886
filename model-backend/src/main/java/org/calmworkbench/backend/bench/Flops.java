package org.calmworkbench.backend.bench;

import org.calmworkbench.backend.model.Autoencoder;
import org.calmworkbench.backend.model.AutoencoderConfig;
import org.calmworkbench.backend.model.CalmConfig;

/**
 * FLOP counts by one documented formula (docs/BENCHMARKS.md): every matrix product costs 2 FLOPs
 * per multiply-add in the forward pass and twice that in the backward pass, so training costs 6 x
 * (matrix parameters used) and inference 2 x; norms, activations, embedding lookups and the
 * attention score products (which grow with context length) are left out.
 */
public final class Flops {
  private Flops() {}

  /** Matrix parameters of the Llama backbone used per position (attention projections + SwiGLU). */
  public static double backboneParams(CalmConfig c) {
    double h = c.hiddenSize();
    return c.numHiddenLayers() * (4 * h * h + 3 * h * c.intermediateSize());
  }

  /** Matrix parameters of one energy-head sample given the per-position condition. */
  public static double energyHeadSampleParams(CalmConfig c) {
    double h = c.hiddenSize();
    double block = 2 * h * h + h * h + h * 2 * h + h * h; // linears 0, 2, 4 and down_proj
    return c.noiseSize() * h + c.numMlpLayers() * block + h * h + h * c.latentSize();
  }

  /** Matrix parameters of the CALM model per position, with {@code samples} head samples. */
  public static double calmParamsPerPosition(CalmConfig c, int samples) {
    double h = c.hiddenSize();
    double embedProj = c.patchSize() * h * 2 * h + 2 * h * h;
    double condition = h * h; // hidden_embd, once per position
    return backboneParams(c) + embedProj + condition + samples * energyHeadSampleParams(c);
  }

  /** CALM training FLOPs per token: 6 x model params per position / K, plus the frozen encoder forward. */
  public static double calmTrainingPerToken(CalmConfig c, AutoencoderConfig ae) {
    double encoder = encoderParamsPerToken(ae);
    return 6 * calmParamsPerPosition(c, c.numSamples()) / c.patchSize() + 2 * encoder;
  }

  /** CALM generation FLOPs per token: one position and one head sample per K tokens, plus decoding. */
  public static double calmInferencePerToken(CalmConfig c, AutoencoderConfig ae) {
    return 2 * calmParamsPerPosition(c, 1) / c.patchSize() + 2 * decoderParamsPerToken(ae);
  }

  /** AR baseline: backbone plus the softmax head, per token. */
  public static double arParamsPerToken(CalmConfig c) {
    return backboneParams(c) + (double) c.hiddenSize() * c.vocabSize();
  }

  public static double arTrainingPerToken(CalmConfig c) {
    return 6 * arParamsPerToken(c);
  }

  public static double arInferencePerToken(CalmConfig c) {
    return 2 * arParamsPerToken(c);
  }

  /** Autoencoder training FLOPs per token: 6 x the encoder and decoder matrix parameters per token. */
  public static double autoencoderTrainingPerToken(AutoencoderConfig c) {
    return 6 * new Autoencoder(c).matmulParamsPerToken();
  }

  /** Autoencoder encoder matrix parameters per token (chunk-level layers count 1/K). */
  static double encoderParamsPerToken(AutoencoderConfig c) {
    double h = c.hiddenSize();
    double mlp = 3 * h * c.intermediateSize();
    double k = c.patchSize();
    return c.numEncoderLayers() / 2 * mlp + h * h + c.numEncoderLayers() / 2 * mlp / k + 2.0 * c.latentSize() * h / k;
  }

  /** Autoencoder decoder matrix parameters per token, output projection included. */
  static double decoderParamsPerToken(AutoencoderConfig c) {
    return new Autoencoder(c).matmulParamsPerToken() - encoderParamsPerToken(c);
  }
}
