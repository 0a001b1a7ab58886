package org.calmworkbench.backend.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.data.TokenIds;
import org.calmworkbench.backend.model.Autoencoder;
import org.calmworkbench.backend.model.LatentScale;

/**
 * Two reference levels for CALM's energy loss (the negated energy score, {@code 2 E|X - Y|^b -
 * E|X - X'|^b} with X, X' model samples and Y a sample of the target chunk's posterior), measured
 * on held-out chunks with the frozen autoencoder, so a user can tell a plateau that is "stuck at
 * the marginal" from one that is learning:
 *
 * <ul>
 *   <li><b>marginal</b>: the loss of a model that ignores the context and draws X from the marginal
 *       distribution of all chunks' latents (a posterior sample of a random held-out chunk). A
 *       model at this level predicts "some chunk of this corpus", not the next one;
 *   <li><b>oracle</b>: the loss of a model whose samples come from the target chunk's own exact
 *       posterior, {@code E|Y - Y'|^b}: the floor no model can beat on average (the energy score
 *       is strictly proper).
 * </ul>
 *
 * Both are Monte-Carlo estimates from posterior samples (a fixed seed, so a run and its resume
 * agree). Also the <b>manifold radius</b>: the 95th percentile of {@code |y - mean|} over posterior
 * samples y, the yardstick of {@link OnManifold}.
 *
 * @param marginal energy loss of the context-free marginal model
 * @param oracle energy loss of the exact posterior
 * @param manifoldRadius 95th percentile of a posterior sample's distance from its mean
 * @param chunks held-out chunks the estimates used
 */
public record EnergyLevels(double marginal, double oracle, double manifoldRadius, int chunks) {
  /** Held-out chunks encoded for the estimates. */
  public static final int DEFAULT_CHUNKS = 1024;

  /**
   * Below this {@link #contextGain} a model counts as still at the marginal level. In the recipe
   * study (docs/EXPERIMENTS.md) runs that went on to learn were at 0.05 to 0.2 by 6,000 tiny
   * steps; the runs that never left the marginal level stayed within about +-0.02 of 0 (the
   * held-out loss is measured on a few hundred positions).
   */
  public static final double MARGINAL_GAIN = 0.03;

  /**
   * Where a held-out energy loss lies between the two levels: 0 at the marginal level (the model
   * ignores the context), 1 at the oracle level; negative when worse than the marginal model.
   * NaN when the levels coincide (nothing to gain from the context).
   */
  public double contextGain(double heldOutLoss) {
    double span = marginal - oracle;
    return span > 0 ? (marginal - heldOutLoss) / span : Double.NaN;
  }

  /**
   * One line on a {@link #contextGain}, for logs and status lines: "at the marginal level ..." or
   * "N% of the way from the marginal to the oracle level".
   */
  public static String describeGain(double gain) {
    if (Double.isNaN(gain)) {
      return "context gain unknown (the marginal and oracle levels coincide)";
    }
    if (marginalGain(gain)) {
      return String.format(java.util.Locale.ROOT,
          "context gain %.2f: at the marginal level, the model does not use the context yet"
              + " (if it stays there for thousands of steps, a longer warmup_steps or another seed helps;"
              + " docs/EXPERIMENTS.md, \"Warmup\")", gain);
    }
    return String.format(java.util.Locale.ROOT,
        "context gain %.2f: %.0f%% of the way from the marginal to the oracle level", gain, 100 * gain);
  }

  /** True when {@code heldOutLoss} is not measurably below the marginal level ({@link #MARGINAL_GAIN}). */
  public boolean atMarginal(double heldOutLoss) {
    return marginalGain(contextGain(heldOutLoss));
  }

  /** The one test of {@link #MARGINAL_GAIN}: a gain below it (or unknown) is the marginal level. */
  private static boolean marginalGain(double gain) {
    return !(gain >= MARGINAL_GAIN);
  }

  /** Monte-Carlo passes over the chunks. */
  static final int REPEATS = 8;

  /**
   * Encodes the first {@code maxChunks} chunks of {@code valid} (K tokens each) and estimates the
   * levels for the distance exponent {@code beta}.
   */
  public static EnergyLevels measure(Autoencoder ae, TokenIds valid, double beta, int maxChunks, long seed,
      NDManager root) {
    return measure(ae, valid, beta, maxChunks, seed, root, null);
  }

  /**
   * As above, with the levels in the space the head is trained in: standardised by {@code scale}
   * when it is not null ({@link LatentScale}); the manifold radius stays in raw latent units.
   */
  public static EnergyLevels measure(Autoencoder ae, TokenIds valid, double beta, int maxChunks, long seed,
      NDManager root, LatentScale scale) {
    int k = ae.config().patchSize();
    int chunks = (int) Math.min(maxChunks, valid.size() / k);
    if (chunks < 2) {
      throw new CalmException("the validation split has " + valid.size() + " tokens, too few for two chunks of K=" + k);
    }
    int l = ae.config().latentSize();
    float[] mean;
    float[] std;
    try (NDManager m = root.newSubManager()) {
      int[] ids = new int[chunks * k];
      valid.copy(0, ids, 0, ids.length);
      NDArray input = m.create(ids, new Shape(1, (long) chunks * k)).toType(DataType.INT64, false);
      NDList meanLogStd = ae.encode(input).split(2, 2); // [1, C, L] each
      mean = meanLogStd.get(0).toFloatArray();
      std = meanLogStd.get(1).exp().toFloatArray();
    }
    EnergyLevels raw = fromPosteriors(mean, std, l, beta, seed);
    if (scale == null) {
      return raw;
    }
    float[] m = scale.mean();
    float[] s = scale.std();
    float[] zMean = new float[mean.length];
    float[] zStd = new float[std.length];
    for (int i = 0; i < mean.length; i++) {
      zMean[i] = (mean[i] - m[i % l]) / s[i % l];
      zStd[i] = std[i] / s[i % l];
    }
    EnergyLevels standardized = fromPosteriors(zMean, zStd, l, beta, seed);
    return new EnergyLevels(standardized.marginal(), standardized.oracle(), raw.manifoldRadius(), raw.chunks());
  }

  /** The levels of the posteriors N(mean_i, diag(std_i^2)), i < mean.length / l (package-private for tests). */
  static EnergyLevels fromPosteriors(float[] mean, float[] std, int l, double beta, long seed) {
    int c = mean.length / l;
    SplittableRandom random = new SplittableRandom(seed);
    double oracle = 0;
    double marginal = 0;
    double[] radius = new double[c * REPEATS];
    double[] x = new double[l];
    double[] x2 = new double[l];
    double[] y = new double[l];
    double[] y2 = new double[l];
    for (int r = 0; r < REPEATS; r++) {
      for (int i = 0; i < c; i++) {
        sample(mean, std, i, l, random, y);
        sample(mean, std, i, l, random, y2);
        oracle += Math.pow(distance(y, y2), beta);
        double fromMean = 0;
        for (int d = 0; d < l; d++) {
          double e = y[d] - mean[i * l + d];
          fromMean += e * e;
        }
        radius[r * c + i] = Math.sqrt(fromMean);
        sample(mean, std, random.nextInt(c), l, random, x);
        sample(mean, std, random.nextInt(c), l, random, x2);
        marginal += 2 * Math.pow(distance(x, y), beta) - Math.pow(distance(x, x2), beta);
      }
    }
    Arrays.sort(radius);
    double n = (double) c * REPEATS;
    return new EnergyLevels(marginal / n, oracle / n, radius[(int) Math.floor(0.95 * (radius.length - 1))], c);
  }

  private static void sample(float[] mean, float[] std, int i, int l, SplittableRandom random, double[] out) {
    for (int d = 0; d < l; d++) {
      out[d] = mean[i * l + d] + std[i * l + d] * gaussian(random);
    }
  }

  /** A standard normal draw (Box-Muller), for the posterior samples of this package. */
  static double gaussian(SplittableRandom random) { // Box-Muller; SplittableRandom has no nextGaussian on 17
    double u = 1 - random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  private static double distance(double[] a, double[] b) {
    double s = 0;
    for (int d = 0; d < a.length; d++) {
      double e = a[d] - b[d];
      s += e * e;
    }
    return Math.sqrt(s);
  }
}
