package org.calmworkbench.backend.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.calmworkbench.backend.CalmException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CorpusSplitTest {
  private static long held(long[] lengths, boolean[] validation) {
    long n = 0;
    for (int i = 0; i < lengths.length; i++) {
      n += validation[i] ? lengths[i] : 0;
    }
    return n;
  }

  private static long[] equalUnits(int n, long length) {
    long[] out = new long[n];
    Arrays.fill(out, length);
    return out;
  }

  @Test
  void sameSeedGivesTheSameSplit() {
    long[] units = equalUnits(500, 100);
    assertArrayEquals(CorpusSplit.validationUnits(units, 7, 0.05).orElseThrow(),
        CorpusSplit.validationUnits(units, 7, 0.05).orElseThrow());
  }

  @Test
  void differentSeedsGiveDifferentSplits() {
    long[] units = equalUnits(500, 100);
    boolean[] a = CorpusSplit.validationUnits(units, 1, 0.05).orElseThrow();
    boolean[] b = CorpusSplit.validationUnits(units, 2, 0.05).orElseThrow();

    assertFalse(Arrays.equals(a, b));
  }

  /** The token share is within +-20% of the request whatever the unit sizes, once units are at most a fifth of it. */
  @ParameterizedTest
  @CsvSource({"0.05, 20", "0.1, 20", "0.1, 200", "0.2, 50", "0.5, 1000"})
  void heldOutTokenShareIsWithinTwentyPercentOfTheRequest(double fraction, int units) {
    for (long seed = 0; seed < 50; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      long[] lengths = new long[units];
      for (int i = 0; i < units; i++) { // very unequal sizes: 1 to 1000 tokens
        lengths[i] = 1 + (long) Math.pow(1000, random.nextDouble());
      }
      long total = Arrays.stream(lengths).sum();
      long cap = (long) Math.floor(fraction * total / 5);
      if (Arrays.stream(lengths).anyMatch(l -> l > cap)) {
        continue; // the corpus would cut such units into pieces first; covered in TokenizedCorpusTest
      }
      boolean[] v = CorpusSplit.validationUnits(lengths, seed, fraction).orElseThrow();
      double share = (double) held(lengths, v) / total;
      assertEquals(fraction, share, CorpusSplit.TOLERANCE * fraction, "seed " + seed);
    }
  }

  @Test
  void unitsFarLargerThanTheTargetAreNotDrawn() {
    long[] lengths = equalUnits(30, 10);
    lengths[3] = 1_000_000; // 99.7% of the corpus in one unit: drawing it would hold out almost everything

    assertTrue(CorpusSplit.validationUnits(lengths, 1, 0.1).isEmpty(), "no fair draw: the caller cuts the stream");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 19})
  void fewerThanTwentyUnitsAreCutInsteadOfDrawn(int units) {
    assertTrue(CorpusSplit.validationUnits(equalUnits(units, 1000), 3, 0.1).isEmpty());
  }

  @Test
  void pieceSizeIsAFifthOfTheTargetButNeverTiny() {
    assertEquals(20_000, CorpusSplit.pieceTokens(1_000_000, 0.1));
    assertEquals(CorpusSplit.MIN_PIECE_TOKENS, CorpusSplit.pieceTokens(10_000, 0.1));
  }

  @ParameterizedTest
  @CsvSource({"1000, 0.05, 50", "10, 0.05, 1", "1, 0.5, 1", "0, 0.05, 0", "3, 0.99, 3"})
  void singleDocumentHoldsOutItsLastTokens(long tokens, double fraction, long expected) {
    assertEquals(expected, CorpusSplit.validationTokens(tokens, fraction));
  }

  @ParameterizedTest
  @ValueSource(doubles = {0, 1, -0.1, 1.5, Double.NaN})
  void fractionOutsideTheOpenIntervalIsRefused(double fraction) {
    CalmException e = assertThrows(CalmException.class, () -> CorpusSplit.validationUnits(equalUnits(30, 5), 0, fraction));

    assertTrue(e.getMessage().contains("validation fraction"), e.getMessage());
  }
}
