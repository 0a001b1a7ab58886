package org.calmworkbench.backend.eval;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.data.TokenIds;
import org.calmworkbench.backend.model.ArModel;
import org.calmworkbench.backend.model.Autoencoder;
import org.calmworkbench.backend.model.CalmModel;
import org.calmworkbench.backend.model.KvCache;
import org.calmworkbench.backend.sampling.LogitSampler;

/**
 * CALM's energy loss for several predictors of the next chunk, on the same held-out chunks and with
 * the same estimator, so their differences are paired and come with a standard error:
 *
 * <ul>
 *   <li><b>marginal</b>: S posterior samples of random other held-out chunks (ignores the context);
 *   <li><b>oracle</b>: S samples of the target chunk's own posterior (the floor);
 *   <li><b>AR baseline</b> (optional): S continuations of K tokens sampled from an autoregressive
 *       model at temperature 1 after the same context, each encoded by the autoencoder and drawn
 *       from its posterior. This is the loss a CALM head would score if it predicted chunks exactly
 *       as well as that model predicts tokens: how much the context is worth at this model size, in
 *       the energy loss's own units;
 *   <li><b>CALM</b> (optional): S samples of a CALM head after the same context.
 * </ul>
 *
 * Each uses M = S posterior samples of the target chunk. Windows of (P+1)*K tokens from the start
 * of {@code valid}, as the CALM trainer's held-out loss: chunk j = 1..P is predicted from chunks
 * 0..j-1. {@link EnergyLevels} estimates the marginal and oracle levels on more chunks for the
 * training page; this class answers "how far could a model of this size get", which the two levels
 * alone cannot.
 */
public final class PredictorLevels {
  private PredictorLevels() {}

  /** A predictor's mean energy loss over the positions and its standard error. */
  public record Level(String name, double loss, double standardError) {}

  /**
   * @param levels marginal, oracle, then the AR baseline and CALM when given, in that order
   * @param gainVsMarginal per level, the mean paired difference marginal - level
   * @param gainStandardError its standard error over positions
   */
  public record Result(List<Level> levels, double[] gainVsMarginal, double[] gainStandardError, int positions,
      int samples) {
    public Level level(String name) {
      return levels.stream().filter(l -> l.name().equals(name)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no level " + name));
    }

    /** (marginal - level) / (marginal - oracle): 0 at the marginal level, 1 at the oracle's. */
    public double contextGain(String name) {
      double span = level("marginal").loss() - level("oracle").loss();
      return span > 0 ? (level("marginal").loss() - level(name).loss()) / span : Double.NaN;
    }
  }

  public static final String MARGINAL = "marginal";
  public static final String ORACLE = "oracle";
  public static final String AR = "ar_baseline";
  public static final String CALM = "calm";

  /**
   * @param ar an AR baseline on the autoencoder's tokenizer, or null
   * @param calm a CALM model with this autoencoder (discrete input), or null
   * @param contextChunks P: each window is (P+1)*K tokens
   * @param windows held-out windows to score (P positions each)
   * @param samples S, at least 2
   */
  public static Result measure(Autoencoder ae, ArModel ar, CalmModel calm, TokenIds valid, int contextChunks,
      double beta, int windows, int samples, long seed, NDManager root) {
    int k = ae.config().patchSize();
    int l = ae.config().latentSize();
    if (samples < 2) {
      throw new CalmException("the energy score needs at least 2 samples per position, got " + samples);
    }
    if (calm != null && (calm.config().patchSize() != k || calm.config().latentSize() != l)) {
      throw new CalmException("the CALM model has K=" + calm.config().patchSize() + ", L=" + calm.config().latentSize()
          + " but the autoencoder has K=" + k + ", L=" + l);
    }
    if (calm != null && calm.inputMode().usesLatents()) {
      throw new CalmException("levels support CALM models with discrete input only (this one reads "
          + calm.inputMode().key() + ")");
    }
    int windowLen = (contextChunks + 1) * k;
    int available = (int) Math.min(windows, valid.size() / windowLen);
    if (available < 1) {
      throw new CalmException("the held-out text has " + valid.size() + " tokens, fewer than one window of "
          + windowLen + " tokens (" + (contextChunks + 1) + " chunks of K=" + k + ")");
    }
    int[] all = new int[available * windowLen];
    valid.copy(0, all, 0, all.length);
    SplittableRandom rng = new SplittableRandom(seed);
    Engine.getInstance().setRandomSeed((int) (seed ^ 0x2545f491)); // the CALM head's noise
    try (NDManager m = root.newSubManager()) {
      // Every chunk's posterior, once: [C, L] means and stds.
      NDArray allIds = m.create(all, new Shape(1, all.length)).toType(DataType.INT64, false);
      NDList enc = ae.encode(allIds).split(2, 2);
      float[] mean = enc.get(0).toFloatArray();
      float[] std = enc.get(1).exp().toFloatArray();
      Map<String, Predictor> predictors = new LinkedHashMap<>();
      if (ar != null) {
        predictors.put(AR, (w, j, s, r) -> {
          int[] contextTokens = new int[j * k];
          System.arraycopy(all, w * windowLen, contextTokens, 0, j * k);
          return arChunks(ar, ae, contextTokens, k, s, l, r, m);
        });
      }
      if (calm != null) {
        float[][] calmSamples = calmSamples(calm, all, available, windowLen, samples, m);
        predictors.put(CALM, (w, j, s, r) -> calmSamples[w * contextChunks + (j - 1)]);
      }
      return score(mean, std, l, contextChunks + 1, predictors, samples, beta, rng);
    }
  }

  /**
   * A predictor of chunk {@code j} of window {@code w} from chunks 0..j-1: {@code samples} latent
   * vectors [samples * L].
   */
  @FunctionalInterface
  interface Predictor {
    float[] sample(int window, int j, int samples, SplittableRandom rng);
  }

  /**
   * The levels on posteriors N(mean_c, diag(std_c^2)) of consecutive chunks, {@code perWindow} per
   * window (chunk 0 of each window is context only); package-private for tests.
   */
  static Result score(float[] mean, float[] std, int l, int perWindow, Map<String, Predictor> predictors,
      int samples, double beta, SplittableRandom rng) {
    int chunksTotal = mean.length / l;
    int windows = chunksTotal / perWindow;
    List<String> names = new ArrayList<>(List.of(MARGINAL, ORACLE));
    names.addAll(predictors.keySet());
    int q = names.size();
    Moments[] loss = new Moments[q];
    Moments[] gainOverMarginal = new Moments[q]; // paired: same chunk, same target samples
    for (int i = 0; i < q; i++) {
      loss[i] = new Moments();
      gainOverMarginal[i] = new Moments();
    }
    int positions = 0;
    for (int w = 0; w < windows; w++) {
      for (int j = 1; j < perWindow; j++) {
        int target = w * perWindow + j;
        double[] losses = new double[q];
        float[] y = posterior(mean, std, target, samples, l, rng); // [M, L]
        int[] others = new int[samples];
        for (int s = 0; s < samples; s++) {
          int o;
          do {
            o = rng.nextInt(chunksTotal);
          } while (o == target && chunksTotal > 1);
          others[s] = o;
        }
        losses[0] = energyLoss(posteriorEach(mean, std, others, l, rng), y, l, beta);
        losses[1] = energyLoss(posterior(mean, std, target, samples, l, rng), y, l, beta);
        int i = 2;
        for (Predictor p : predictors.values()) {
          losses[i++] = energyLoss(p.sample(w, j, samples, rng), y, l, beta);
        }
        for (i = 0; i < q; i++) {
          loss[i].add(losses[i]);
          gainOverMarginal[i].add(losses[0] - losses[i]);
        }
        positions++;
      }
    }
    if (positions == 0) {
      throw new CalmException("no held-out chunk to score (windows of " + perWindow + " chunks)");
    }
    List<Level> levels = new ArrayList<>();
    double[] gain = new double[q];
    double[] gainSe = new double[q];
    for (int i = 0; i < q; i++) {
      levels.add(new Level(names.get(i), loss[i].mean(), loss[i].standardError()));
      gain[i] = gainOverMarginal[i].mean();
      gainSe[i] = gainOverMarginal[i].standardError();
    }
    return new Result(levels, gain, gainSe, positions, samples);
  }

  /**
   * The negated energy score of x [S, L] against y [M, L], as {@link
   * org.calmworkbench.backend.model.EnergyScore} defines it: 2/(S M) sum |x_i - y_m|^beta - 1/(S(S-1))
   * sum_{i != j} |x_i - x_j|^beta.
   */
  static double energyLoss(float[] x, float[] y, int l, double beta) {
    int s = x.length / l;
    int mCount = y.length / l;
    double accuracy = 0;
    for (int i = 0; i < s; i++) {
      for (int m = 0; m < mCount; m++) {
        accuracy += Math.pow(distance(x, i, y, m, l), beta);
      }
    }
    double diversity = 0;
    for (int i = 0; i < s; i++) {
      for (int j = i + 1; j < s; j++) {
        diversity += 2 * Math.pow(distance(x, i, x, j, l), beta);
      }
    }
    return 2 * accuracy / ((double) s * mCount) - diversity / ((double) s * (s - 1));
  }

  private static double distance(float[] a, int i, float[] b, int j, int l) {
    double sum = 0;
    for (int d = 0; d < l; d++) {
      double e = a[i * l + d] - b[j * l + d];
      sum += e * e;
    }
    return Math.sqrt(sum);
  }

  /** {@code count} samples of the posterior of {@code chunk}: [count, L]. */
  private static float[] posterior(float[] mean, float[] std, int chunk, int count, int l, SplittableRandom rng) {
    int[] repeated = new int[count];
    java.util.Arrays.fill(repeated, chunk);
    return posteriorEach(mean, std, repeated, l, rng);
  }

  /** One posterior sample of each chunk in {@code chunks}: [chunks.length, L]. */
  private static float[] posteriorEach(float[] mean, float[] std, int[] chunks, int l, SplittableRandom rng) {
    float[] out = new float[chunks.length * l];
    for (int s = 0; s < chunks.length; s++) {
      for (int d = 0; d < l; d++) {
        int i = chunks[s] * l + d;
        out[s * l + d] = (float) (mean[i] + std[i] * EnergyLevels.gaussian(rng));
      }
    }
    return out;
  }

  /**
   * S continuations of K tokens from the AR model after {@code context} (temperature 1, one batch
   * with a KV cache), each encoded and drawn from its posterior: [S, L].
   */
  private static float[] arChunks(ArModel ar, Autoencoder ae, int[] context, int k, int samples, int l,
      SplittableRandom rng, NDManager parent) {
    int v = ar.config().vocabSize();
    int t = context.length;
    long[] batch = new long[samples * t];
    for (int s = 0; s < samples; s++) {
      for (int i = 0; i < t; i++) {
        batch[s * t + i] = context[i];
      }
    }
    long[] chunks = new long[samples * k];
    try (NDManager m = parent.newSubManager(); KvCache cache = ar.newCache(m)) {
      NDArray logits = ar.step(m.create(batch, new Shape(samples, t)), cache).get(":, -1, :"); // [S, V]
      for (int j = 0; j < k; j++) {
        float[] rows = logits.toFloatArray();
        long[] chosen = new long[samples];
        for (int s = 0; s < samples; s++) {
          double[] p = LogitSampler.probabilities(rows, s * v, v, 1.0);
          chosen[s] = LogitSampler.sample(p, rng);
          chunks[s * k + j] = chosen[s];
        }
        if (j + 1 < k) {
          logits = ar.step(m.create(chosen, new Shape(samples, 1)), cache).get(":, -1, :");
        }
      }
      NDList enc = ae.encode(m.create(chunks, new Shape(samples, k))).split(2, 2); // [S, 1, L] each
      float[] mean = enc.get(0).toFloatArray();
      float[] std = enc.get(1).exp().toFloatArray();
      int[] each = new int[samples];
      for (int s = 0; s < samples; s++) {
        each[s] = s;
      }
      return posteriorEach(mean, std, each, l, rng);
    }
  }

  /** For every window and position j = 0..P-1, S head samples predicting chunk j+1: [W*P][S*L]. */
  private static float[][] calmSamples(CalmModel calm, int[] all, int windows, int windowLen, int samples,
      NDManager parent) {
    int k = calm.config().patchSize();
    int p = windowLen / k - 1;
    int l = calm.config().latentSize();
    float[][] out = new float[windows * p][];
    try (NDManager m = parent.newSubManager()) {
      NDArray ids = m.create(all, new Shape(windows, windowLen)).toType(DataType.INT64, false);
      NDArray hidden = calm.predictionHidden(ids); // [W, P, H]
      NDArray sampled = calm.head().sample(hidden, samples); // [S, W, P, L]
      if (calm.latentScale() != null) { // the head predicts standardised latents
        sampled = calm.latentScale().toRaw(m, sampled);
      }
      float[] x = sampled.toFloatArray();
      int positions = windows * p;
      for (int pos = 0; pos < positions; pos++) {
        float[] row = new float[samples * l];
        for (int s = 0; s < samples; s++) {
          System.arraycopy(x, (s * positions + pos) * l, row, s * l, l);
        }
        out[pos] = row;
      }
    }
    return out;
  }
}
