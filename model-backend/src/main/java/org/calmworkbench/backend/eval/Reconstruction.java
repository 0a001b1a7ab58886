package org.calmworkbench.backend.eval;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.DoubleConsumer;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.model.Autoencoder;

/**
 * How well the autoencoder reconstructs held-out chunks when Gaussian noise N(0, sigma^2) is added
 * to each latent before greedy (argmax) decoding. This is the robustness the language model relies
 * on: its predicted vectors are never exactly the encoder's.
 */
public final class Reconstruction {
  private Reconstruction() {}

  /** Which latent the noise is added to. */
  public enum Mode {
    /** z = mean + sigma * n: the deterministic code, as the LM is trained to predict it. */
    MEAN,
    /** z = mean + std * eps + sigma * n: a posterior sample, as in VAE training. */
    POSTERIOR
  }

  /** Accuracy at one noise level. */
  public record Level(double sigma, long tokens, long correctTokens, long patches, long exactPatches) {
    public double tokenAccuracy() {
      return tokens == 0 ? 0 : (double) correctTokens / tokens;
    }

    public double patchAccuracy() {
      return patches == 0 ? 0 : (double) exactPatches / patches;
    }
  }

  /** One badly reconstructed chunk: its index in the input, the input ids and the decoded ids. */
  public record Example(double sigma, int patch, int[] input, int[] decoded, int errors) {}

  public record Report(Mode mode, int patchSize, List<Level> levels, List<Example> worst, Geometry geometry) {}

  /**
   * The shape of the latent space on the evaluated chunks: how wide the posteriors are and how far
   * the means spread, the numbers that decide how easy the space is for CALM's head to predict.
   *
   * @param posteriorStd mean of the posterior std over chunks and dimensions
   * @param klPerChunk mean KL(posterior || N(0, I)) per chunk in nats, before the per-dimension clamp
   * @param klPerDimension the same per latent dimension (the clamp kl_clamp applies per dimension)
   * @param meanRms root mean square of the posterior means over chunks and dimensions
   */
  public record Geometry(double posteriorStd, double klPerChunk, double klPerDimension, double meanRms) {}

  /** Evaluates in batches of this many chunks (bounded memory for any input size). */
  static final int BATCH = 2048;

  /**
   * @param patches held-out chunks, flat [N * K]
   * @param sigmas noise levels, each >= 0
   * @param worstPerSigma how many worst examples to keep for each sigma
   * @param progress receives the fraction done in [0, 1] (may be null)
   */
  public static Report run(Autoencoder ae, long[] patches, double[] sigmas, Mode mode, long seed,
      int worstPerSigma, NDManager manager, DoubleConsumer progress) {
    int k = ae.config().patchSize();
    if (patches.length < k || patches.length % k != 0) {
      throw new CalmException("need at least one whole chunk of K=" + k + " tokens to evaluate, got " + patches.length + " tokens");
    }
    for (double s : sigmas) {
      if (!(s >= 0) || Double.isInfinite(s)) {
        throw new CalmException("noise level sigma must be a finite number >= 0, got " + s);
      }
    }
    int n = patches.length / k;
    long[] correct = new long[sigmas.length];
    long[] exact = new long[sigmas.length];
    List<PriorityQueue<Example>> worst = new ArrayList<>();
    Comparator<Example> byErrors = Comparator.comparingInt(Example::errors).thenComparing(e -> -e.patch());
    for (int i = 0; i < sigmas.length; i++) {
      worst.add(new PriorityQueue<>(byErrors));
    }
    int batches = (n + BATCH - 1) / BATCH;
    double stdSum = 0;
    double klSum = 0;
    double squareSum = 0;
    long values = 0;
    for (int b = 0; b < batches; b++) {
      int from = b * BATCH;
      int count = Math.min(BATCH, n - from);
      long[] ids = Arrays.copyOfRange(patches, from * k, (from + count) * k);
      try (NDManager m = manager.newSubManager()) {
        Engine.getInstance().setRandomSeed((int) (seed * 31 + b));
        NDArray input = m.create(ids, new Shape(count, k)); // [n, K]: one chunk per row
        NDList meanLogStd = ae.encode(input).split(2, 2); // [n, 1, L] each
        NDArray mean = meanLogStd.get(0);
        float[] mu = mean.toFloatArray();
        float[] logStd = meanLogStd.get(1).toFloatArray();
        for (int i = 0; i < mu.length; i++) {
          double sd = Math.exp(logStd[i]);
          stdSum += sd;
          squareSum += (double) mu[i] * mu[i];
          klSum += 0.5 * (mu[i] * mu[i] + sd * sd - 1 - 2 * logStd[i]);
        }
        values += mu.length;
        NDArray base = mode == Mode.POSTERIOR ? mean.add(m.randomNormal(mean.getShape()).mul(meanLogStd.get(1).exp())) : mean;
        for (int s = 0; s < sigmas.length; s++) {
          NDArray z = sigmas[s] == 0 ? base : base.add(m.randomNormal(mean.getShape()).mul(m.create((float) sigmas[s])));
          long[] decoded = ae.decodeGreedy(z).toLongArray(); // [n * K]
          for (int p = 0; p < count; p++) {
            int errors = 0;
            for (int j = 0; j < k; j++) {
              if (decoded[p * k + j] != ids[p * k + j]) {
                errors++;
              }
            }
            correct[s] += k - errors;
            exact[s] += errors == 0 ? 1 : 0;
            if (errors > 0 && worstPerSigma > 0) {
              PriorityQueue<Example> q = worst.get(s);
              Example e = new Example(sigmas[s], from + p, toInts(ids, p * k, k), toInts(decoded, p * k, k), errors);
              if (q.size() < worstPerSigma) {
                q.add(e);
              } else if (byErrors.compare(e, q.peek()) > 0) {
                q.poll();
                q.add(e);
              }
            }
          }
        }
      }
      if (progress != null) {
        progress.accept((b + 1.0) / batches);
      }
    }
    List<Level> levels = new ArrayList<>();
    List<Example> examples = new ArrayList<>();
    for (int s = 0; s < sigmas.length; s++) {
      levels.add(new Level(sigmas[s], (long) n * k, correct[s], n, exact[s]));
      List<Example> w = new ArrayList<>(worst.get(s));
      w.sort(byErrors.reversed());
      examples.addAll(w);
    }
    Geometry geometry = new Geometry(stdSum / values, klSum / n, klSum / values, Math.sqrt(squareSum / values));
    return new Report(mode, k, levels, examples, geometry);
  }

  private static int[] toInts(long[] a, int from, int len) {
    int[] out = new int[len];
    for (int i = 0; i < len; i++) {
      out[i] = (int) a[from + i];
    }
    return out;
  }
}
