package org.calmworkbench.backend.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.calmworkbench.backend.CalmException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CorpusSplitTest {
  private static int count(boolean[] flags) {
    int n = 0;
    for (boolean f : flags) {
      n += f ? 1 : 0;
    }
    return n;
  }

  @Test
  void sameSeedGivesTheSameSplit() {
    assertArrayEquals(CorpusSplit.validationDocuments(500, 7, 0.05), CorpusSplit.validationDocuments(500, 7, 0.05));
  }

  @Test
  void differentSeedsGiveDifferentSplits() {
    boolean[] a = CorpusSplit.validationDocuments(500, 1, 0.05);
    boolean[] b = CorpusSplit.validationDocuments(500, 2, 0.05);

    assertFalse(Arrays.equals(a, b));
  }

  @Test
  void appendingDocumentsKeepsEarlierAssignments() {
    boolean[] small = CorpusSplit.validationDocuments(100, 3, 0.1);
    boolean[] large = CorpusSplit.validationDocuments(1000, 3, 0.1);

    assertArrayEquals(small, Arrays.copyOf(large, 100));
  }

  @ParameterizedTest
  @CsvSource({"0.05, 20000", "0.2, 20000", "0.5, 20000"})
  void validationShareIsCloseToTheFraction(double fraction, int documents) {
    double share = count(CorpusSplit.validationDocuments(documents, 11, fraction)) / (double) documents;

    assertEquals(fraction, share, 0.01);
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3, 5})
  void smallCorporaGetOneValidationDocumentAndKeepOneForTraining(int documents) {
    for (long seed = 0; seed < 200; seed++) {
      int tiny = count(CorpusSplit.validationDocuments(documents, seed, 0.01));
      int huge = count(CorpusSplit.validationDocuments(documents, seed, 0.99));
      assertEquals(1, tiny, "seed " + seed);
      assertEquals(documents - 1, huge, "seed " + seed);
    }
  }

  @ParameterizedTest
  @CsvSource({"1000, 0.05, 50", "10, 0.05, 1", "1, 0.5, 1", "0, 0.05, 0", "3, 0.99, 3"})
  void singleDocumentHoldsOutItsLastTokens(long tokens, double fraction, long expected) {
    assertEquals(expected, CorpusSplit.validationTokens(tokens, fraction));
  }

  @ParameterizedTest
  @ValueSource(doubles = {0, 1, -0.1, 1.5, Double.NaN})
  void fractionOutsideTheOpenIntervalIsRefused(double fraction) {
    CalmException e = assertThrows(CalmException.class, () -> CorpusSplit.validationDocuments(10, 0, fraction));

    assertTrue(e.getMessage().contains("validation fraction"), e.getMessage());
  }
}
