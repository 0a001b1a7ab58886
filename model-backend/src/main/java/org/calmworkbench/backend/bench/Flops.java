package org.calmworkbench.backend.bench;

import org.calmworkbench.backend.model.AdaLnMlp;
import org.calmworkbench.backend.model.Autoencoder;
import org.calmworkbench.backend.model.AutoencoderConfig;
import org.calmworkbench.backend.model.BackboneConfig;
import org.calmworkbench.backend.model.CalmConfig;
import org.calmworkbench.backend.model.FoldedEmbedProj;
import org.calmworkbench.backend.model.HeadConfig;
import org.calmworkbench.backend.model.InputMode;

/**
 * FLOP counts by one documented formula (docs/BENCHMARKS.md): every matrix product costs 2 FLOPs
 * per multiply-add in the forward pass and twice that in the backward pass, so training costs 6 x
 * (matrix parameters used) and inference 2 x; norms, activations, embedding lookups and the
 * attention score products (which grow with context length) are left out.
 */
public final class Flops {
  private Flops() {}

  /** Matrix parameters of the Llama backbone used per position (attention projections + SwiGLU). */
  public static double backboneParams(BackboneConfig c) {
    double h = c.hiddenSize();
    return c.numHiddenLayers() * (4 * h * h + 3 * h * c.intermediateSize());
  }

  /** Matrix parameters of one energy-head sample given the per-position condition. */
  public static double energyHeadSampleParams(CalmConfig c, HeadConfig.Energy e) {
    double h = c.hiddenSize();
    double block = 2 * h * h + h * h + h * 2 * h + h * h; // linears 0, 2, 4 and down_proj
    return e.noiseSize() * h + c.numMlpLayers() * block + h * h + h * c.latentSize();
  }

  /**
   * Matrix parameters of one evaluation of the flow and diffusion heads' adaLN MLP ({@link
   * AdaLnMlp}): the condition (timestep MLP on the 256 sinusoidal features, cond_embed of the
   * hidden state; computed per evaluation, since it depends on t), input_proj, per residual block
   * its adaLN modulation (H -> 3H) and MLP (two H x H), and the final layer's modulation (H -> 2H)
   * and projection (H -> L).
   */
  public static double adaLnEvaluationParams(CalmConfig c) {
    double h = c.hiddenSize();
    double l = c.latentSize();
    double condition = AdaLnMlp.FREQUENCY_SIZE * h + h * h + h * h;
    return condition + l * h + c.numMlpLayers() * (3 * h * h + 2 * h * h) + 2 * h * h + h * l;
  }

  /**
   * Head matrix parameters per position in training: the energy head's hidden_embd once and N =
   * num_samples samples; the flow and diffusion heads one evaluation per head_samples posterior sample.
   */
  public static double headTrainingParams(CalmConfig c) {
    if (c.head() instanceof HeadConfig.Energy e) {
      return (double) c.hiddenSize() * c.hiddenSize() + e.numSamples() * energyHeadSampleParams(c, e);
    }
    return c.head().lossSamples() * adaLnEvaluationParams(c); // flow, diffusion: head_samples evaluations
  }

  /**
   * Head matrix parameters to generate one latent: the energy head one pass; the flow head
   * flow_steps ODE steps of 1 (Euler) or 2 (midpoint) evaluations; the diffusion head one
   * evaluation per respaced step.
   */
  public static double headSampleParams(CalmConfig c) {
    HeadConfig head = c.head();
    if (head instanceof HeadConfig.Energy e) {
      return (double) c.hiddenSize() * c.hiddenSize() + energyHeadSampleParams(c, e);
    }
    if (head instanceof HeadConfig.Flow f) {
      return f.flowSteps() * (f.flowSolver() == HeadConfig.MIDPOINT ? 2 : 1) * adaLnEvaluationParams(c);
    }
    return ((HeadConfig.Diffusion) head).diffusionSteps() * adaLnEvaluationParams(c);
  }

  /** The Transformer input's matrix parameters per position: embed_proj and/or latent_proj. */
  public static double inputParams(CalmConfig c, InputMode input) {
    double h = c.hiddenSize();
    double embedProj = c.patchSize() * h * 2 * h + 2 * h * h;
    double latentProj = c.latentSize() * 2 * h + 2 * h * h;
    return (input.usesTokens() ? embedProj : 0) + (input.usesLatents() ? latentProj : 0);
  }

  /**
   * Matrix parameters of the CALM model per position, with {@code samples} energy-head samples
   * (discrete input; the energy head's settings from {@code e}).
   */
  public static double calmParamsPerPosition(CalmConfig c, HeadConfig.Energy e, int samples) {
    double h = c.hiddenSize();
    double condition = h * h; // hidden_embd, once per position
    return backboneParams(c.backbone()) + inputParams(c, InputMode.DISCRETE) + condition
        + samples * energyHeadSampleParams(c, e);
  }

  /**
   * CALM training FLOPs per token: 6 x (backbone + input projection + the head's training
   * evaluations) per position / K, plus the frozen encoder's forward (2 x its parameters per token).
   */
  public static double calmTrainingPerToken(CalmConfig c, AutoencoderConfig ae, InputMode input) {
    double perPosition = backboneParams(c.backbone()) + inputParams(c, input) + headTrainingParams(c);
    return 6 * perPosition / c.patchSize() + 2 * encoderParamsPerToken(ae);
  }


  /**
   * CALM generation FLOPs per token: per K tokens one position (backbone, input projection), one
   * latent from the head (its solver's evaluations for flow and diffusion), and the decoder. One
   * draw per step, i.e. temperature 1; lower temperatures multiply the head and decoder part by the
   * sampler calls per step.
   */
  public static double calmInferencePerToken(CalmConfig c, AutoencoderConfig ae, InputMode input) {
    double perPosition = backboneParams(c.backbone()) + inputParams(c, input) + headSampleParams(c);
    return 2 * perPosition / c.patchSize() + 2 * decoderParamsPerToken(ae);
  }

  /** AR baseline: backbone plus the softmax head, per token. */
  public static double arParamsPerToken(BackboneConfig c) {
    return backboneParams(c) + (double) c.hiddenSize() * c.vocabSize();
  }

  public static double arTrainingPerToken(BackboneConfig c) {
    return 6 * arParamsPerToken(c);
  }

  public static double arInferencePerToken(BackboneConfig c) {
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

  /**
   * Matrix weights one CALM generation step reads at batch size 1: backbone, embed_proj, the
   * head's condition and one sample, and the autoencoder's decoder with its output projection
   * (each weight once, however many of the K positions use it). At batch size 1 a step is bound by
   * reading these from memory, not by FLOPs. Generation from a checkpoint reads embed_proj's
   * first layer as K rows of its lookup tables ({@link FoldedEmbedProj}, when they fit) instead of
   * the K*H x 2H matrix; this counts what it reads. {@link #calmWeightsPerStepUnfolded}: without.
   */
  public static double calmWeightsPerStep(CalmConfig c, AutoencoderConfig ae) {
    if (!FoldedEmbedProj.fits(c)) {
      return calmWeightsPerStepUnfolded(c, ae);
    }
    double k = c.patchSize();
    double twoH = 2.0 * c.hiddenSize();
    return calmWeightsPerStepUnfolded(c, ae) - k * c.hiddenSize() * twoH + k * twoH;
  }

  /** {@link #calmWeightsPerStep} with embed_proj's first layer read as the whole matrix. */
  public static double calmWeightsPerStepUnfolded(CalmConfig c, AutoencoderConfig ae) {
    return calmParamsPerPosition(c, energyHead(c), 1) + decoderWeights(ae);
  }

  /**
   * Multiply-adds one further candidate costs: one energy-head sample (its hidden_embd condition is
   * computed once per step) and the decoder over the candidate's K positions with the tied output
   * projection ({@link #decoderParamsPerToken} per token).
   */
  public static double calmCandidateMacs(CalmConfig c, AutoencoderConfig ae) {
    return energyHeadSampleParams(c, energyHead(c)) + ae.patchSize() * decoderParamsPerToken(ae);
  }

  /** The energy head's settings; the weight counts of a generation step are for the energy head only. */
  private static HeadConfig.Energy energyHead(CalmConfig c) {
    if (c.head() instanceof HeadConfig.Energy e) {
      return e;
    }
    throw new IllegalArgumentException("weights per generation step are counted for the energy head, not the "
        + c.head().type().key() + " head");
  }

  /** Matrix weights one AR generation step (one token) reads: backbone plus the softmax head. */
  public static double arWeightsPerStep(BackboneConfig c) {
    return arParamsPerToken(c);
  }

  /**
   * The generation speed-up CALM can reach over the AR baseline when both are bound by reading
   * weights: K tokens per step, each step reading {@link #calmWeightsPerStep} against the AR
   * baseline's {@link #arWeightsPerStep} per token.
   */
  public static double weightBoundSpeedup(CalmConfig c, AutoencoderConfig ae) {
    return c.patchSize() * arWeightsPerStep(c.backbone()) / calmWeightsPerStep(c, ae);
  }

  /** The decoder's matrix weights: latent_to_hidden, its layers, expand_layer, the tied output projection. */
  static double decoderWeights(AutoencoderConfig c) {
    double h = c.hiddenSize();
    return c.latentSize() * h + c.numDecoderLayers() * 3 * h * c.intermediateSize() + h * c.patchSize() * h
        + (double) c.vocabSize() * h;
  }

  /** Autoencoder decoder matrix parameters per token, output projection included. */
  static double decoderParamsPerToken(AutoencoderConfig c) {
    return new Autoencoder(c).matmulParamsPerToken() - encoderParamsPerToken(c);
  }
}
