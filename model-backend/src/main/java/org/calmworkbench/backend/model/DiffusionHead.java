package org.calmworkbench.backend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * A DDPM-style diffusion head: an {@link AdaLnMlp} (child {@code net}) predicts the noise eps in
 * x_i = sqrt(alphaBar_i) x0 + sqrt(1 - alphaBar_i) eps under the {@link CosineSchedule} with T =
 * diffusion_train_steps, conditioned on the hidden state and the integer timestep i.
 *
 * <pre>
 *   training:  x0 ~ N(mean, std^2) (posterior sample), eps ~ N(0, I), i ~ U{0 .. T-1}
 *              loss = mean || eps_hat(x_i, i, h) - eps ||^2 / L
 *   sampling:  generalised DDIM over diffusion_steps respaced timesteps tau_0 < ... < tau_{S-1}
 *              ({@link CosineSchedule#respaced}), from x ~ N(0, I):
 *              for j = S-1 .. 0:  e = eps_hat(x, tau_j, h),  a = a_j,  a' = a_{j-1} (a_{-1} = 1)
 *                                 x0_hat = (x - sqrt(1 - a) e) / sqrt(a)
 *                                 sigma = eta sqrt((1 - a') / (1 - a)) sqrt(1 - a / a')
 *                                 x = sqrt(a') x0_hat + sqrt(1 - a' - sigma^2) e + sigma z_j
 * </pre>
 *
 * diffusion_eta = 1 (the default) is DDPM's ancestral sampler on the respaced steps (as MAR's
 * diffusion head samples); 0 is deterministic DDIM. A draw consumes L * S noise values with eta >
 * 0 (start and per-step noise), L with eta = 0; either way all randomness is in the noise vector.
 */
public final class DiffusionHead extends CalmBlock implements GenerativeHead {
  private final AdaLnMlp net;
  private final int latentSize;
  private final int trainSteps;
  private final int steps;
  private final double eta;
  private final double[] alphaBars;
  private final float[] sqrtAlphaBars;
  private final float[] sqrtOneMinusAlphaBars;

  public DiffusionHead(CalmConfig c, HeadConfig.Diffusion h) {
    this(c.latentSize(), c.hiddenSize(), c.numMlpLayers(), h.diffusionTrainSteps(), h.diffusionSteps(),
        h.diffusionEta());
  }

  public DiffusionHead(int latentSize, int hiddenSize, int numBlocks, int trainSteps, int steps, double eta) {
    this.latentSize = latentSize;
    this.trainSteps = trainSteps;
    this.steps = steps;
    this.eta = eta;
    this.alphaBars = CosineSchedule.alphaBars(trainSteps);
    sqrtAlphaBars = new float[trainSteps];
    sqrtOneMinusAlphaBars = new float[trainSteps];
    for (int i = 0; i < trainSteps; i++) {
      sqrtAlphaBars[i] = (float) Math.sqrt(alphaBars[i]);
      sqrtOneMinusAlphaBars[i] = (float) Math.sqrt(1 - alphaBars[i]);
    }
    net = child("net", new AdaLnMlp(latentSize, hiddenSize, numBlocks));
  }

  @Override
  public HeadType type() {
    return HeadType.DIFFUSION;
  }

  /** L for deterministic DDIM; L * diffusion_steps with eta > 0 (the start plus one noise per step). */
  @Override
  public int noiseSize() {
    return eta > 0 ? latentSize * steps : latentSize;
  }

  public double eta() {
    return eta;
  }

  public int trainSteps() {
    return trainSteps;
  }

  public int steps() {
    return steps;
  }

  @Override
  public NDArray noise(NDManager m, Shape batch) {
    return m.randomNormal(batch.add(noiseSize()));
  }

  @Override
  public float[] hostNoise(SplittableRandom rng, int n) {
    float[] z = new float[n * noiseSize()];
    for (int i = 0; i < z.length; i++) {
      z[i] = (float) rng.nextGaussian();
    }
    return z;
  }

  /** The predicted noise for x [..., L] at timesteps t [...] (as floats), hidden [..., H]. */
  public NDArray epsilon(NDArray x, NDArray t, NDArray hidden) {
    return net.forward(x, net.condition(x.getManager(), t, hidden));
  }

  @Override
  public NDArray generate(NDArray hidden, NDArray noise) {
    return ddim(hidden, noise, steps);
  }

  /** This head's sampler (its steps and eta) from the given noise [..., noiseSize()] (see the class comment). */
  public NDArray ddim(NDArray hidden, NDArray noise, int n) {
    return sample(hidden, noise, n, eta);
  }

  /**
   * Samples over {@code n} respaced steps with the given eta: noise [..., L * (eta > 0 ? n : 1)]
   * holds the start x (its first L entries) and, for eta > 0, the fresh noise of steps n-1 .. 1.
   */
  public NDArray sample(NDArray hidden, NDArray noise, int n, double eta) {
    int last = noise.getShape().dimension() - 1;
    int parts = eta > 0 ? n : 1;
    if (noise.getShape().get(last) != (long) parts * latentSize) {
      throw new IllegalArgumentException("diffusion noise must have " + parts * latentSize + " entries per draw, got "
          + noise.getShape());
    }
    NDList z = parts == 1 ? new NDList(noise) : noise.split(parts, last);
    return ddim((x, t) -> epsilon(x, t, hidden), alphaBars, CosineSchedule.respaced(trainSteps, n), eta, z);
  }

  /** A noise predictor eps(x, t): x [..., L], t a one-element array holding the timestep -> [..., L]. */
  @FunctionalInterface
  public interface NoisePredictor {
    NDArray at(NDArray x, NDArray t);
  }

  /**
   * Generalised DDIM from x = z[0] at timestep taus[last] down to x0, visiting the ascending
   * timesteps {@code taus} of a schedule with cumulative products {@code alphaBars}:
   *
   * <pre>
   *   x0_hat = (x - sqrt(1 - a) e) / sqrt(a)
   *   sigma  = eta sqrt((1 - a') / (1 - a)) sqrt(1 - a / a')
   *   x'     = sqrt(a') x0_hat + sqrt(1 - a' - sigma^2) e + sigma z[step]
   * </pre>
   *
   * eta = 0 is deterministic DDIM; eta = 1 is DDPM's ancestral step with the respaced posterior
   * variance. z holds the start and, for eta > 0, one noise per step but the last (where a' = 1
   * and sigma = 0).
   */
  public static NDArray ddim(NoisePredictor eps, double[] alphaBars, int[] taus, double eta, NDList z) {
    NDManager m = z.get(0).getManager();
    NDArray x = z.get(0);
    int used = 1;
    for (int j = taus.length - 1; j >= 0; j--) {
      double a = alphaBars[taus[j]];
      double aPrev = j > 0 ? alphaBars[taus[j - 1]] : 1.0;
      double sigma = eta * Math.sqrt((1 - aPrev) / (1 - a)) * Math.sqrt(1 - a / aPrev);
      NDArray e = eps.at(x, m.create(new float[] {taus[j]}));
      NDArray x0 = x.sub(e.mul(m.create((float) Math.sqrt(1 - a)))).mul(m.create((float) (1 / Math.sqrt(a))));
      x = x0.mul(m.create((float) Math.sqrt(aPrev)))
          .add(e.mul(m.create((float) Math.sqrt(Math.max(0, 1 - aPrev - sigma * sigma)))));
      if (sigma > 0) {
        x = x.add(z.get(used++).mul(m.create((float) sigma)));
      }
    }
    return x;
  }

  /** Deterministic DDIM (eta = 0) from x = noise: {@link #ddim(NoisePredictor, double[], int[], double, NDList)}. */
  public static NDArray ddim(NoisePredictor eps, double[] alphaBars, int[] taus, NDArray noise) {
    return ddim(eps, alphaBars, taus, 0, new NDList(noise));
  }

  /** Epsilon matching at a uniformly drawn timestep (see the class comment). */
  @Override
  public NDArray trainingLoss(NDManager m, NDArray hidden, NDArray targetMean, NDArray targetStd, int targetSamples) {
    NDArray x0 = GenerativeHead.posteriorSamples(m, targetMean, targetStd, targetSamples); // [S, ..., L]
    Shape s = x0.getShape();
    NDArray eps = m.randomNormal(s);
    NDArray t = m.randomUniform(0f, trainSteps, s.slice(0, s.dimension() - 1)).floor()
        .minimum(m.create((float) (trainSteps - 1))); // [S, ...], integers as floats
    NDArray idx = t.toType(DataType.INT64, false);
    int last = s.dimension() - 1;
    NDArray sa = m.create(sqrtAlphaBars).take(idx).expandDims(last); // [S, ..., 1]
    NDArray sb = m.create(sqrtOneMinusAlphaBars).take(idx).expandDims(last);
    NDArray xt = x0.mul(sa).add(eps.mul(sb));
    return epsilon(xt, t, hidden).sub(eps).square().mean();
  }

  @Override
  public NDArray forward(NDArray hidden) {
    return sample(hidden, 1).squeeze(0);
  }
}
