package org.calmworkbench.backend.data;

import org.calmworkbench.backend.CalmException;

/**
 * The deterministic train/validation split.
 *
 * <p>With two or more documents the split is by document: document {@code i} goes to validation
 * when {@code u(seed, i) < fraction}, where {@code u} is a SplitMix64 hash of seed and index mapped
 * to [0, 1). The same seed and document order always give the same split, and adding documents at
 * the end never moves earlier ones. If no document was drawn, the one with the smallest {@code u}
 * goes to validation; if every document was drawn, the one with the largest stays in training.
 * With few documents the validation share can then be much larger than {@code fraction} (one of
 * two documents is half); that is the price of never cutting a document.
 *
 * <p>With a single document there is nothing to draw, so its token stream is cut instead: the
 * last {@code max(1, round(fraction * tokens))} tokens are validation ({@link #validationTokens}).
 * The seed does not matter then.
 */
public final class CorpusSplit {
  /** Share of documents held out when the caller does not say. */
  public static final double DEFAULT_VALIDATION_FRACTION = 0.05;

  private CorpusSplit() {}

  /** Which of {@code documents} documents are validation documents; needs two or more. */
  public static boolean[] validationDocuments(int documents, long seed, double fraction) {
    checkFraction(fraction);
    if (documents < 2) {
      throw new IllegalArgumentException("a document-level split needs >= 2 documents, got " + documents);
    }
    boolean[] validation = new boolean[documents];
    int drawn = 0;
    int lowest = 0;
    int highest = 0;
    double lowestU = Double.MAX_VALUE;
    double highestU = -1;
    for (int i = 0; i < documents; i++) {
      double u = uniform(seed, i);
      validation[i] = u < fraction;
      drawn += validation[i] ? 1 : 0;
      if (u < lowestU) {
        lowestU = u;
        lowest = i;
      }
      if (u > highestU) {
        highestU = u;
        highest = i;
      }
    }
    if (drawn == 0) {
      validation[lowest] = true;
    } else if (drawn == documents) {
      validation[highest] = false;
    }
    return validation;
  }

  /** Validation tokens at the end of a single document of {@code tokens} tokens. */
  public static long validationTokens(long tokens, double fraction) {
    checkFraction(fraction);
    if (tokens == 0) {
      return 0;
    }
    return Math.min(tokens, Math.max(1, Math.round(fraction * tokens)));
  }

  /** A number in [0, 1) fixed by {@code seed} and {@code index}, uniformly spread. */
  static double uniform(long seed, long index) {
    long h = mix64(mix64(seed) + index * 0x9E3779B97F4A7C15L);
    return (h >>> 11) * 0x1.0p-53;
  }

  /** SplitMix64's finaliser (Steele, Lea, Flood 2014): a bijective, well-mixed 64-bit hash. */
  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  static void checkFraction(double fraction) {
    if (!(fraction > 0 && fraction < 1)) {
      throw new CalmException("validation fraction must be between 0 and 1 (exclusive), got " + fraction);
    }
  }
}
