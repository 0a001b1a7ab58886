package org.calmworkbench.backend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * A rectified-flow head: an {@link AdaLnMlp} (child {@code net}) predicts the velocity of the
 * straight path from Gaussian noise to the latent, conditioned on the hidden state.
 *
 * <pre>
 *   training:  x0 ~ N(0, I), x1 ~ N(mean, std^2) (the autoencoder's posterior), t ~ U[0, 1)
 *              x_t = (1 - t) x0 + t x1,   loss = mean || v(x_t, t, h) - (x1 - x0) ||^2 / L
 *   sampling:  x(0) ~ N(0, I); integrate dx/dt = v(x, t, h) from t = 0 to 1 in flow_steps steps
 *              Euler:     x += dt v(x, t)
 *              midpoint:  x += dt v(x + dt/2 v(x, t), t + dt/2)
 * </pre>
 *
 * The network sees the time as 1000 t, so the sinusoidal features span the same range as the
 * diffusion head's integer timesteps. Sampling is deterministic given x(0): the noise is the only
 * randomness.
 */
public final class FlowHead extends CalmBlock implements GenerativeHead {
  /** The factor between t in [0, 1] and the timestep the network's sinusoid sees. */
  public static final float TIME_SCALE = 1000f;

  private final AdaLnMlp net;
  private final int latentSize;
  private final int steps;
  private final int solver;

  public FlowHead(CalmConfig c, HeadConfig.Flow h) {
    this(c.latentSize(), c.hiddenSize(), c.numMlpLayers(), h.flowSteps(), h.flowSolver());
  }

  public FlowHead(int latentSize, int hiddenSize, int numBlocks, int steps, int solver) {
    this.latentSize = latentSize;
    this.steps = steps;
    this.solver = solver;
    net = child("net", new AdaLnMlp(latentSize, hiddenSize, numBlocks));
  }

  @Override
  public HeadType type() {
    return HeadType.FLOW;
  }

  @Override
  public int noiseSize() {
    return latentSize;
  }

  public int steps() {
    return steps;
  }

  public int solver() {
    return solver;
  }

  @Override
  public NDArray noise(NDManager m, Shape batch) {
    return m.randomNormal(batch.add(latentSize));
  }

  @Override
  public float[] hostNoise(SplittableRandom rng, int n) {
    float[] z = new float[n * latentSize];
    for (int i = 0; i < z.length; i++) {
      z[i] = (float) rng.nextGaussian();
    }
    return z;
  }

  /** The predicted velocity at x [..., L], times t [...] in [0, 1], hidden [..., H]. */
  public NDArray velocity(NDArray x, NDArray t, NDArray hidden) {
    NDManager m = x.getManager();
    return net.forward(x, net.condition(m, t.mul(m.create(TIME_SCALE)), hidden));
  }

  /** Solves the ODE from the given noise with this head's steps and solver. */
  @Override
  public NDArray generate(NDArray hidden, NDArray noise) {
    return integrate(hidden, noise, steps, solver);
  }

  /** Solves dx/dt = v(x, t, h) from x(0) = noise to t = 1 in {@code n} Euler or midpoint steps. */
  public NDArray integrate(NDArray hidden, NDArray noise, int n, int solverOrder) {
    return integrate((x, t) -> velocity(x, t, hidden), noise, n, solverOrder);
  }

  /** A velocity field v(x, t): x [..., L], t a one-element array -> [..., L]. */
  @FunctionalInterface
  public interface VelocityField {
    NDArray at(NDArray x, NDArray t);
  }

  /**
   * Solves dx/dt = v(x, t) from x(0) = x0 to t = 1 in {@code n} equal steps of dt = 1/n: Euler
   * ({@link HeadConfig#EULER}) or explicit midpoint ({@link HeadConfig#MIDPOINT}).
   */
  public static NDArray integrate(VelocityField v, NDArray x0, int n, int solverOrder) {
    if (n < 1) {
      throw new IllegalArgumentException("the ODE solver needs at least one step, got " + n);
    }
    NDManager m = x0.getManager();
    NDArray x = x0;
    float dt = 1f / n;
    NDArray dtA = m.create(dt);
    NDArray halfDt = m.create(dt / 2);
    for (int i = 0; i < n; i++) {
      NDArray k1 = v.at(x, m.create(new float[] {i * dt}));
      if (solverOrder == HeadConfig.EULER) {
        x = x.add(k1.mul(dtA));
      } else {
        NDArray mid = x.add(k1.mul(halfDt));
        x = x.add(v.at(mid, m.create(new float[] {(i + 0.5f) * dt})).mul(dtA));
      }
    }
    return x;
  }

  /** Velocity matching on the straight noise-to-posterior-sample path (see the class comment). */
  @Override
  public NDArray trainingLoss(NDManager m, NDArray hidden, NDArray targetMean, NDArray targetStd, int targetSamples) {
    NDArray x1 = GenerativeHead.posteriorSamples(m, targetMean, targetStd, targetSamples); // [S, ..., L]
    Shape s = x1.getShape();
    NDArray x0 = m.randomNormal(s);
    NDArray t = m.randomUniform(0f, 1f, s.slice(0, s.dimension() - 1)); // [S, ...]
    NDArray tt = t.expandDims(s.dimension() - 1);
    NDArray xt = m.create(1f).sub(tt).mul(x0).add(tt.mul(x1));
    NDArray v = velocity(xt, t, hidden);
    return v.sub(x1.sub(x0)).square().mean();
  }

  @Override
  public NDArray forward(NDArray hidden) {
    return sample(hidden, 1).squeeze(0);
  }
}
