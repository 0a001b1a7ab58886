package org.calmworkbench.backend.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.calmworkbench.backend.device.ComputeDevice;
import org.calmworkbench.backend.model.AutoencoderConfig;
import org.calmworkbench.backend.model.BackboneConfig;
import org.calmworkbench.backend.model.CalmConfig;

/**
 * The generation speed-up over the AR baseline that a CALM sampler can reach, from two rates of
 * this engine measured in the same run as the generators:
 *
 * <ul>
 *   <li>{@code readRate}: matrix weights per second a batch-1 product reads (a [1, 512] row times a
 *       [512, 2048] matrix), the rate that bounds a decoding step at batch size 1;
 *   <li>{@code macRate}: multiply-adds per second of the same matrix against {@link #ROWS} rows, the
 *       rate of the head and the decoder over a batch of candidates.
 * </ul>
 *
 * A CALM step then costs at least {@code weightsPerStep / readRate} (every matrix read once, one
 * candidate included) plus {@code (draws - 1) x candidateMacs / macRate} for the further candidates
 * the sampler drew ({@link Flops#calmCandidateMacs}); an AR token costs {@code arWeightsPerStep /
 * readRate}. The bound is K x (AR time per token) / (CALM time per step); at one draw per step it is
 * {@link Flops#weightBoundSpeedup}.
 */
public record SamplerBound(double readRate, double macRate) {
  /** Rows of the batched product: the generator's largest batch of candidates. */
  static final int ROWS = 256;

  private static final int IN = 512;
  private static final int OUT = 2048;

  /** Measures both rates on the current device: the median of {@code reps} timed products each. */
  public static SamplerBound measure(int reps) {
    try (NDManager m = NDManager.newBaseManager(ComputeDevice.device())) {
      NDArray w = m.randomUniform(-1f, 1f, new Shape(IN, OUT));
      double weights = (double) IN * OUT;
      double read = weights / medianSeconds(m, m.randomUniform(-1f, 1f, new Shape(1, IN)), w, reps);
      double macs = weights * ROWS / medianSeconds(m, m.randomUniform(-1f, 1f, new Shape(ROWS, IN)), w, reps);
      return new SamplerBound(read, macs);
    }
  }

  private static double medianSeconds(NDManager m, NDArray x, NDArray w, int reps) {
    double[] seconds = new double[reps];
    for (int i = -3; i < reps; i++) { // three unmeasured products first
      try (NDManager s = m.newSubManager()) {
        long t0 = System.nanoTime();
        NDArray y = x.matMul(w);
        y.attach(s);
        y.getFloat(0, 0); // forces completion
        if (i >= 0) {
          seconds[i] = (System.nanoTime() - t0) / 1e9;
        }
      }
    }
    Arrays.sort(seconds);
    return seconds[reps / 2];
  }

  /** Seconds of one CALM step that draws {@code draws} candidates, at these rates. */
  public double calmStepSeconds(CalmConfig c, AutoencoderConfig ae, double draws) {
    return Flops.calmWeightsPerStep(c, ae) / readRate + Math.max(0, draws - 1) * Flops.calmCandidateMacs(c, ae) / macRate;
  }

  /** CALM's bound in tokens per second: K tokens per {@link #calmStepSeconds}. */
  public double calmTokensPerSecond(CalmConfig c, AutoencoderConfig ae, double draws) {
    return c.patchSize() / calmStepSeconds(c, ae, draws);
  }

  /** The AR baseline's bound in tokens per second: one token per read of its weights. */
  public double arTokensPerSecond(BackboneConfig ar) {
    return readRate / Flops.arWeightsPerStep(ar);
  }

  /** The speed-up bound at {@code draws} candidates per step (see the class comment). */
  public double speedup(CalmConfig c, AutoencoderConfig ae, double draws) {
    return calmTokensPerSecond(c, ae, draws) / arTokensPerSecond(c.backbone());
  }
}
