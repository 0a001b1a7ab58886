package org.calmworkbench.backend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import java.util.ArrayList;
import java.util.List;

/**
 * The denoising network of the flow and diffusion heads: an MLP whose residual blocks are
 * modulated (adaLN) by the sum of a timestep embedding and the Transformer's hidden state, in the
 * style of the {@code SimpleMLPAdaLN} that MAR's and CALM's diffusion-type heads use; parameter
 * names follow it.
 *
 * <pre>
 *   c = time_embed(sinusoid(t)) + cond_embed(hidden)                         [..., H]
 *   x = input_proj(x_t)                                                      [..., H]
 *   x = x + gate * mlp(in_ln(x) * (1 + scale) + shift),  (shift, scale, gate) = adaLN_modulation(c)
 *                                                          for each of num_mlp_layers res_blocks
 *   out = final_layer.linear(norm(x) * (1 + scale) + shift), (shift, scale) = final_layer.adaLN_modulation(c)
 * </pre>
 *
 * time_embed.mlp = Linear(256 -> H), SiLU, Linear(H -> H); each mlp = Linear(H -> H), SiLU,
 * Linear(H -> H); adaLN_modulation = SiLU, Linear(H -> 3H) (final: 2H); norm = LayerNorm without
 * weights. Every adaLN_modulation and the final linear start at zero (as DiT/MAR), so an untrained
 * network outputs zero and each block starts as the identity.
 */
public final class AdaLnMlp extends CalmBlock {
  /** Width of the sinusoidal timestep features (MAR's {@code frequency_embedding_size}). */
  public static final int FREQUENCY_SIZE = 256;
  /** Longest period of the sinusoidal features. */
  public static final double MAX_PERIOD = 10000;

  private final int hiddenSize;
  private final Linear timeIn;
  private final Linear timeOut;
  private final Linear condEmbed;
  private final Linear inputProj;
  private final List<ResBlock> resBlocks = new ArrayList<>();
  private final Linear finalModulation;
  private final Linear finalLinear;

  public AdaLnMlp(int latentSize, int hiddenSize, int numBlocks) {
    this.hiddenSize = hiddenSize;
    timeIn = child("time_embed.mlp.0", new Linear(FREQUENCY_SIZE, hiddenSize, true));
    timeOut = child("time_embed.mlp.2", new Linear(hiddenSize, hiddenSize, true));
    condEmbed = child("cond_embed", new Linear(hiddenSize, hiddenSize, true));
    inputProj = child("input_proj", new Linear(latentSize, hiddenSize, true));
    for (int i = 0; i < numBlocks; i++) {
      resBlocks.add(child("res_blocks." + i, new ResBlock(hiddenSize)));
    }
    finalLinear = child("final_layer.linear", new Linear(hiddenSize, latentSize, true));
    finalModulation = child("final_layer.adaLN_modulation.1", new Linear(hiddenSize, 2 * hiddenSize, true));
    zero(finalLinear);
    zero(finalModulation);
  }

  static void zero(CalmBlock b) {
    for (Parameter p : b.namedParameters().values()) {
      p.setInitializer(Initializer.ZEROS);
    }
  }

  /**
   * Sinusoidal features of (possibly fractional) timesteps: t [...] -> [..., 256] =
   * [cos(t f_0..f_127), sin(t f_0..f_127)], f_i = MAX_PERIOD^(-i/128). Created on {@code m}.
   */
  public static NDArray timestepFeatures(NDManager m, NDArray t) {
    int half = FREQUENCY_SIZE / 2;
    float[] f = new float[half];
    for (int i = 0; i < half; i++) {
      f[i] = (float) Math.exp(-Math.log(MAX_PERIOD) * i / half);
    }
    int last = t.getShape().dimension();
    NDArray args = t.expandDims(last).mul(m.create(f)); // [..., 128]
    return args.cos().concat(args.sin(), last);
  }

  /** The condition c [..., H] from timesteps t [...] (already scaled) and hidden states [..., H]. */
  public NDArray condition(NDManager m, NDArray t, NDArray hidden) {
    NDArray te = timeOut.forward(SwiGlu.silu(timeIn.forward(timestepFeatures(m, t))));
    return te.add(condEmbed.forward(hidden));
  }

  /** The network's output for x_t [..., L] under condition c (broadcastable to [..., H]). */
  public NDArray forward(NDArray xt, NDArray c) {
    NDArray x = inputProj.forward(xt);
    NDArray act = SwiGlu.silu(c);
    for (ResBlock b : resBlocks) {
      x = b.forward(x, act);
    }
    int last = act.getShape().dimension() - 1;
    var shiftScale = finalModulation.forward(act).split(2, last);
    NDArray h = modulate(plainNorm(x), shiftScale.get(0), shiftScale.get(1));
    return finalLinear.forward(h);
  }

  @Override
  public NDArray forward(NDArray x) {
    throw new UnsupportedOperationException("the adaLN MLP needs the condition: forward(x, c)");
  }

  /** x * (1 + scale) + shift. */
  static NDArray modulate(NDArray x, NDArray shift, NDArray scale) {
    return x.add(x.mul(scale)).add(shift);
  }

  /** LayerNorm over the last axis without weight and bias (eps 1e-6). */
  NDArray plainNorm(NDArray x) {
    NDManager m = x.getManager();
    return ai.djl.nn.norm.LayerNorm.layerNorm(x, new Shape(hiddenSize), m.ones(new Shape(hiddenSize)),
        m.zeros(new Shape(hiddenSize)), (float) LayerNorm.EPS).singletonOrThrow();
  }

  /** One adaLN residual block: in_ln, mlp.{0,2}, adaLN_modulation.1. */
  static final class ResBlock extends CalmBlock {
    private final LayerNorm inLn;
    private final Linear l0;
    private final Linear l2;
    private final Linear modulation;

    ResBlock(int h) {
      inLn = child("in_ln", new LayerNorm(h, LayerNorm.EPS));
      l0 = child("mlp.0", new Linear(h, h, true));
      l2 = child("mlp.2", new Linear(h, h, true));
      modulation = child("adaLN_modulation.1", new Linear(h, 3 * h, true));
      zero(modulation);
    }

    /** x [..., H], act = silu(c) broadcastable to x -> [..., H]. */
    NDArray forward(NDArray x, NDArray act) {
      int last = act.getShape().dimension() - 1;
      var ssg = modulation.forward(act).split(3, last); // shift, scale, gate
      NDArray h = modulate(inLn.forward(x), ssg.get(0), ssg.get(1));
      h = l2.forward(SwiGlu.silu(l0.forward(h)));
      return x.add(ssg.get(2).mul(h));
    }

    @Override
    public NDArray forward(NDArray x) {
      throw new UnsupportedOperationException("a res block needs the condition: forward(x, c)");
    }
  }
}
