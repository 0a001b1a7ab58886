package org.calmworkbench.backend.data;

import org.calmworkbench.backend.CalmException;

/**
 * The deterministic train/validation split, made to hold out the requested share of <em>tokens</em>.
 *
 * <p><b>Units.</b> The split chooses among units: the corpus's documents, with every document longer
 * than {@link #pieceTokens} cut into consecutive pieces of that many tokens (each piece a unit of its
 * own; see {@code TokenizedCorpus}). Pieces are at most a fifth of the validation target, so no
 * single unit can push the held-out share far off, whatever the documents' sizes; a file of two huge
 * paragraphs is many units, not two.
 *
 * <p><b>Choice</b> ({@link #validationUnits}). Units are visited in the order of {@code u(seed, i)},
 * a SplitMix64 hash of seed and unit index mapped to [0, 1), and a unit is held out when adding it
 * brings the held-out token count closer to {@code fraction x total} (that is, while {@code held +
 * length/2 < target}). With every unit at most 0.4 x target, the result is within +-20% of the
 * target; the same seed and units always give the same split.
 *
 * <p><b>Too few units.</b> With fewer than {@link #MIN_UNITS} units (a single document, or a handful
 * of short ones), or if the choice misses the target by more than {@link #TOLERANCE} (units too
 * large for a tiny target), there is nothing fair to draw from: the token stream is cut instead, and
 * its last {@code max(1, round(fraction * tokens))} tokens are validation ({@link
 * #validationTokens}). The seed does not matter then.
 */
public final class CorpusSplit {
  /** Share of tokens held out when the caller does not say: 90/10, as in most LM training recipes. */
  public static final double DEFAULT_VALIDATION_FRACTION = 0.1;

  /** Fewer units than this and the stream is cut at a position instead of drawing units. */
  public static final int MIN_UNITS = 20;

  /** Longest allowed miss of the held-out token share, relative to the requested share. */
  public static final double TOLERANCE = 0.2;

  /** Pieces are never cut shorter than this (so a validation piece holds several context windows). */
  public static final long MIN_PIECE_TOKENS = 256;

  /** How the validation set was made. */
  public enum Rule {
    /** Whole units (documents or pieces of long ones) drawn by the seed. */
    UNITS("units drawn by the seed"),
    /** The last tokens of the token stream. */
    TAIL("the end of the token stream");

    private final String description;

    Rule(String description) {
      this.description = description;
    }

    public String description() {
      return description;
    }
  }

  private CorpusSplit() {}

  /** Longest unit, in tokens, for a corpus of {@code totalTokens} tokens: a fifth of the target, at least {@link #MIN_PIECE_TOKENS}. */
  public static long pieceTokens(long totalTokens, double fraction) {
    checkFraction(fraction);
    return Math.max(MIN_PIECE_TOKENS, (long) Math.floor(fraction * totalTokens / 5));
  }

  /**
   * Which units are validation units, or empty when the stream should be cut instead (fewer than
   * {@link #MIN_UNITS} units, or no draw within {@link #TOLERANCE} of the target, or nothing left
   * on one side).
   */
  public static java.util.Optional<boolean[]> validationUnits(long[] lengths, long seed, double fraction) {
    checkFraction(fraction);
    int n = lengths.length;
    if (n < MIN_UNITS) {
      return java.util.Optional.empty();
    }
    long total = 0;
    for (long len : lengths) {
      total += len;
    }
    double target = fraction * total;
    Integer[] order = new Integer[n];
    double[] u = new double[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
      u[i] = uniform(seed, i);
    }
    java.util.Arrays.sort(order, java.util.Comparator.comparingDouble(i -> u[i]));
    boolean[] validation = new boolean[n];
    long held = 0;
    int drawn = 0;
    for (int i : order) {
      if (held + lengths[i] / 2.0 < target) {
        validation[i] = true;
        held += lengths[i];
        drawn++;
      }
    }
    boolean fair = drawn > 0 && drawn < n && Math.abs(held - target) <= TOLERANCE * target;
    return fair ? java.util.Optional.of(validation) : java.util.Optional.empty();
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
