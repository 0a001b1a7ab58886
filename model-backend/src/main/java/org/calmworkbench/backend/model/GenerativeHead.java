package org.calmworkbench.backend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * A generative head: given the Transformer's hidden state for a position, draws samples of the
 * next chunk's latent vector, and knows its own training loss against the frozen autoencoder's
 * posterior. Every draw is a deterministic function of the hidden state and one noise vector, so
 * a caller that supplies the noise (from a seeded {@link SplittableRandom}) fixes the samples.
 *
 * <p>Implementations: {@link EnergyHead} (uniform noise, one network pass), {@link FlowHead} and
 * {@link DiffusionHead} (Gaussian noise, an ODE / DDIM loop of several network passes).
 */
public interface GenerativeHead {
  HeadType type();

  /** Width of the noise vector one draw consumes. */
  int noiseSize();

  /** Noise from the engine's RNG, shape [batch..., noiseSize], on {@code m}. */
  NDArray noise(NDManager m, Shape batch);

  /** Noise for {@code n} draws from {@code rng}, row-major [n, noiseSize]; same law as {@link #noise}. */
  float[] hostNoise(SplittableRandom rng, int n);

  /**
   * The latents for given noise: hidden [..., H], noise [S..., ..., noiseSize] -> [S..., ..., L].
   * The hidden state broadcasts over the noise's extra leading axes.
   */
  NDArray generate(NDArray hidden, NDArray noise);

  /** {@code numSamples} independent draws per position: hidden [..., H] -> [numSamples, ..., L]. */
  default NDArray sample(NDArray hidden, int numSamples) {
    Shape batch = hidden.getShape().slice(0, hidden.getShape().dimension() - 1);
    return generate(hidden, noise(hidden.getManager(), new Shape(numSamples).addAll(batch)));
  }

  /**
   * The scalar training loss for hidden states [..., H] whose targets are the autoencoder's
   * posteriors N(targetMean, targetStd^2), each [..., L]; {@code targetSamples} posterior samples
   * are drawn per position (engine RNG). Random arrays are created on {@code m}, the step's
   * manager. Differentiable in the head's and the hidden state's parameters.
   */
  NDArray trainingLoss(NDManager m, NDArray hidden, NDArray targetMean, NDArray targetStd, int targetSamples);

  /** Posterior samples mean + std * eps, eps ~ N(0, I) drawn on {@code m}: [samples, ..., L]. */
  static NDArray posteriorSamples(NDManager m, NDArray mean, NDArray std, int samples) {
    Shape s = new Shape(samples).addAll(mean.getShape());
    return mean.expandDims(0).add(m.randomNormal(s).mul(std.expandDims(0)));
  }
}
