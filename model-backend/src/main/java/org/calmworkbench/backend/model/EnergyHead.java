package org.calmworkbench.backend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The energy-based generative head (official {@code mlp_generator}): a one-step implicit sampler
 * that turns uniform noise into a latent vector, conditioned on the Transformer's hidden state.
 *
 * <pre>
 *   x = LayerNorm(noise_embd(noise))            noise ~ U[-0.5, 0.5]^noise_size
 *   y = LayerNorm(hidden_embd(hidden))           the condition
 *   x = x + block_i(x, y)                        for each of num_mlp_layers residual blocks
 *   latent = final_layer(x)                      LayerNorm -> Linear -> SiLU -> Linear(H -> L)
 * </pre>
 *
 * It has no density: it is trained through samples only, with the energy score
 * ({@link EnergyScore}). The final projection is zero-initialised (as the official
 * {@code initialize_weights}), so an untrained head predicts the zero latent.
 */
public final class EnergyHead extends CalmBlock implements GenerativeHead {
  private final int noiseSize;
  private final int numSamples; // N: head samples per position in the energy loss
  private final double beta; // the energy score's distance exponent
  private final Linear noiseEmbd;
  private final Linear hiddenEmbd;
  private final LayerNorm normHidden;
  private final LayerNorm normNoise;
  private final List<ResidualBlock> mlpBlocks = new ArrayList<>();
  private final FinalLayer finalLayer;

  public EnergyHead(CalmConfig c, HeadConfig.Energy e) {
    int h = c.hiddenSize();
    this.noiseSize = e.noiseSize();
    this.numSamples = e.numSamples();
    this.beta = e.beta();
    noiseEmbd = child("noise_embd", new Linear(e.noiseSize(), h, true));
    hiddenEmbd = child("hidden_embd", new Linear(h, h, true));
    normHidden = child("norm_hidden", new LayerNorm(h, LayerNorm.EPS));
    normNoise = child("norm_noise", new LayerNorm(h, LayerNorm.EPS));
    for (int i = 0; i < c.numMlpLayers(); i++) {
      mlpBlocks.add(child("mlp_blocks." + i, new ResidualBlock(h)));
    }
    finalLayer = child("final_layer", new FinalLayer(h, c.latentSize()));
  }

  @Override
  public HeadType type() {
    return HeadType.ENERGY;
  }

  @Override
  public int noiseSize() {
    return noiseSize;
  }

  @Override
  public NDArray generate(NDArray hidden, NDArray noise) {
    return forward(hidden, noise);
  }

  /** U[-0.5, 0.5) from {@code rng}, the law the head is trained with. */
  @Override
  public float[] hostNoise(SplittableRandom rng, int n) {
    float[] noise = new float[n * noiseSize];
    for (int i = 0; i < noise.length; i++) {
      noise[i] = (float) (rng.nextDouble() - 0.5);
    }
    return noise;
  }

  /**
   * The energy loss: M posterior samples y, N head samples x, and the negated energy score
   * {@link EnergyScore#loss}(x, y, beta). The y noise is drawn before the head's noise.
   */
  @Override
  public NDArray trainingLoss(NDManager m, NDArray hidden, NDArray targetMean, NDArray targetStd, int targetSamples) {
    NDArray y = GenerativeHead.posteriorSamples(m, targetMean, targetStd, targetSamples); // [M, ..., L]
    NDArray x = sample(hidden, numSamples); // [N, ..., L]
    return EnergyScore.loss(x, y, beta);
  }

  /**
   * The latent for given noise: hidden [..., H], noise [S..., ..., noise_size] -> [S..., ..., L].
   * The noise may carry extra leading sample axes; the condition is computed once and broadcast.
   */
  public NDArray forward(NDArray hidden, NDArray noise) {
    NDArray x = normNoise.forward(noiseEmbd.forward(noise)); // [S..., ..., H]
    NDArray y = normHidden.forward(hiddenEmbd.forward(hidden)); // [..., H]
    if (!y.getShape().equals(x.getShape())) {
      y = y.broadcast(x.getShape());
    }
    for (ResidualBlock block : mlpBlocks) {
      x = block.forward(x, y);
    }
    return finalLayer.forward(x); // [S..., ..., L]
  }

  /** One sample per position with fresh noise: hidden [..., H] -> latent [..., L]. */
  @Override
  public NDArray forward(NDArray hidden) {
    return forward(hidden, noise(hidden.getManager(), hidden.getShape().slice(0, hidden.getShape().dimension() - 1)));
  }

  /** {@code numSamples} independent samples per position: hidden [..., H] -> [numSamples, ..., L]. */
  @Override
  public NDArray sample(NDArray hidden, int numSamples) {
    Shape batch = hidden.getShape().slice(0, hidden.getShape().dimension() - 1);
    return forward(hidden, noise(hidden.getManager(), new Shape(numSamples).addAll(batch)));
  }

  /** Uniform noise in [-0.5, 0.5) of shape [batch..., noise_size]. */
  @Override
  public NDArray noise(NDManager m, Shape batch) {
    return m.randomUniform(-0.5f, 0.5f, batch.add(noiseSize));
  }

  /**
   * Residual block (official {@code MLPBlock}): the condition y modulates x through a gated MLP,
   * {@code x + down_proj(silu(g) * u)} with {@code [g, u] = linears(cat(in_ln(x), y))} and linears
   * = Linear(2H -> H), SiLU, Linear(H -> H), SiLU, Linear(H -> 2H).
   */
  public static final class ResidualBlock extends CalmBlock {
    private final LayerNorm inLn;
    private final Linear l0;
    private final Linear l2;
    private final Linear l4;
    private final Linear downProj;

    ResidualBlock(int h) {
      inLn = child("in_ln", new LayerNorm(h, LayerNorm.EPS));
      l0 = child("linears.0", new Linear(2 * h, h, true));
      l2 = child("linears.2", new Linear(h, h, true));
      l4 = child("linears.4", new Linear(h, 2 * h, true));
      downProj = child("down_proj", new Linear(h, h, true));
    }

    /** x, y [..., H] -> [..., H]. */
    NDArray forward(NDArray x, NDArray y) {
      int last = x.getShape().dimension() - 1;
      NDArray h = inLn.forward(x).concat(y, last); // [..., 2H]
      h = l4.forward(SwiGlu.silu(l2.forward(SwiGlu.silu(l0.forward(h))))); // [..., 2H]
      var gateUp = h.split(2, last); // 2 x [..., H]
      return x.add(downProj.forward(SwiGlu.silu(gateUp.get(0)).mul(gateUp.get(1))));
    }

    @Override
    public NDArray forward(NDArray x) {
      throw new UnsupportedOperationException("a residual block needs the condition: forward(x, y)");
    }
  }

  /** Output layer (official {@code FinalLayer}): in_ln -> linears.0 -> SiLU -> linears.2 (H -> L). */
  public static final class FinalLayer extends CalmBlock {
    private final LayerNorm inLn;
    private final Linear l0;
    private final Linear l2;

    FinalLayer(int h, int latentSize) {
      inLn = child("in_ln", new LayerNorm(h, LayerNorm.EPS));
      l0 = child("linears.0", new Linear(h, h, true));
      l2 = child("linears.2", new Linear(h, latentSize, true));
      for (Parameter p : l2.namedParameters().values()) {
        p.setInitializer(Initializer.ZEROS); // the head starts by predicting the zero latent
      }
    }

    @Override
    public NDArray forward(NDArray x) { // [..., H] -> [..., L]
      return l2.forward(SwiGlu.silu(l0.forward(inLn.forward(x))));
    }
  }
}
