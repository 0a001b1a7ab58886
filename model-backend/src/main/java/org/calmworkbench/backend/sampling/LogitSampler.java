package org.calmworkbench.backend.sampling;

import java.util.Locale;
import java.util.SplittableRandom;
import org.calmworkbench.backend.CalmException;

/**
 * Drawing tokens from a model that has likelihoods (the AR baseline): {@code softmax(logits / T)}
 * computed in double precision in Java, then inverse-CDF sampling with a {@link SplittableRandom}.
 * On the JVM rather than the engine because DJL's {@code randomMultinomial} fails (STACK.md pitfall
 * 7) and because a Java RNG makes every draw reproducible from a seed, independent of the engine.
 */
public final class LogitSampler {
  private LogitSampler() {}

  /** Checks a sampling temperature: T in (0, 1]. */
  public static double checkTemperature(double temperature) {
    if (!(temperature > 0 && temperature <= 1)) {
      throw new CalmException(String.format(Locale.ROOT,
          "temperature must lie in (0, 1] (1 samples the model as trained, lower values sharpen it; for the most"
              + " likely token use greedy decoding), got %s", temperature));
    }
    return temperature;
  }

  /**
   * {@code softmax(logits[offset .. offset+v) / T)}, [v], summing to 1 up to rounding. The max is
   * subtracted first so that exp never overflows, whatever T.
   */
  public static double[] probabilities(float[] logits, int offset, int v, double temperature) {
    checkTemperature(temperature);
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < v; i++) {
      max = Math.max(max, logits[offset + i]);
    }
    double[] p = new double[v];
    double sum = 0;
    for (int i = 0; i < v; i++) {
      p[i] = Math.exp((logits[offset + i] - max) / temperature);
      sum += p[i];
    }
    for (int i = 0; i < v; i++) {
      p[i] /= sum;
    }
    return p;
  }

  /** One draw from {@code p} ([v], summing to 1): the first index whose cumulative sum exceeds u. */
  public static int sample(double[] p, SplittableRandom rng) {
    double u = rng.nextDouble();
    double cumulative = 0;
    int last = 0;
    for (int i = 0; i < p.length; i++) {
      if (p[i] > 0) {
        cumulative += p[i];
        last = i;
        if (u < cumulative) {
          return i;
        }
      }
    }
    return last; // u fell in the rounding gap above the final cumulative sum
  }

  /** The most likely token of one row; the lowest index on ties, so greedy decoding is deterministic. */
  public static int argmax(float[] logits, int offset, int v) {
    int best = 0;
    for (int i = 1; i < v; i++) {
      if (logits[offset + i] > logits[offset + best]) {
        best = i;
      }
    }
    return best;
  }
}
