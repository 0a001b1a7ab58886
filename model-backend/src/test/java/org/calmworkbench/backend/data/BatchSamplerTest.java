package org.calmworkbench.backend.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.calmworkbench.backend.CalmException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BatchSamplerTest {
  private static TokenIds counting(int n) {
    int[] ids = new int[n];
    Arrays.setAll(ids, i -> i); // id == position, so a window shows where it came from
    return TokenIds.of(ids);
  }

  @ParameterizedTest
  @CsvSource({"1000, 32, 1", "1000, 32, 4", "103, 16, 4", "64, 64, 8"})
  void windowsAreInBoundsAlignedAndContiguous(int size, int length, int alignment) {
    BatchSampler sampler = new BatchSampler(counting(size), length, alignment, 42);

    for (long step = 0; step < 50; step++) {
      int[] batch = sampler.batch(step, 8); // [8, T]
      assertEquals(8 * length, batch.length);
      for (int b = 0; b < 8; b++) {
        int start = batch[b * length];
        assertEquals(0, start % alignment, "start " + start);
        assertTrue(start + length <= size, "window [" + start + ", " + (start + length) + ") past " + size);
        for (int t = 0; t < length; t++) {
          assertEquals(start + t, batch[b * length + t]);
        }
      }
    }
  }

  @Test
  void sameSeedAndStepGiveTheSameBatch() {
    BatchSampler a = new BatchSampler(counting(10_000), 16, 4, 7);
    BatchSampler b = new BatchSampler(counting(10_000), 16, 4, 7);

    assertArrayEquals(a.batch(123, 4), b.batch(123, 4));
    assertArrayEquals(a.offsets(5, 4), b.offsets(5, 4));
  }

  @Test
  void windowsFilledAtDrawnOffsetsAreTheStepsBatch() {
    BatchSampler sampler = new BatchSampler(counting(10_000), 16, 4, 7);
    long[] offsets = sampler.offsets(9, 5);
    int[] filled = new int[5 * 16];
    sampler.fill(offsets, filled);
    assertArrayEquals(sampler.batch(9, 5), filled, "one draw gives the batch and its offsets");
    for (int b = 0; b < 5; b++) {
      assertEquals(offsets[b], filled[b * 16], "row " + b + " starts at its offset");
    }
    assertThrows(IllegalArgumentException.class, () -> sampler.fill(offsets, new int[4 * 16]), "a buffer of 4 windows");
  }

  @Test
  void stepsAndSeedsChangeTheOffsets() {
    BatchSampler a = new BatchSampler(counting(100_000), 16, 1, 7);
    BatchSampler b = new BatchSampler(counting(100_000), 16, 1, 8);

    assertFalse(Arrays.equals(a.offsets(0, 8), a.offsets(1, 8)));
    assertFalse(Arrays.equals(a.offsets(0, 8), b.offsets(0, 8)));
  }

  @Test
  void everyAlignedStartIsReachable() {
    BatchSampler sampler = new BatchSampler(counting(40), 8, 8, 1); // starts 0, 8, 16, 24, 32

    Set<Long> seen = new HashSet<>();
    for (long step = 0; step < 100; step++) {
      for (long o : sampler.offsets(step, 4)) {
        seen.add(o);
      }
    }

    assertEquals(Set.of(0L, 8L, 16L, 24L, 32L), seen);
  }

  @Test
  void streamShorterThanOneWindowIsRefused() {
    CalmException e = assertThrows(CalmException.class, () -> new BatchSampler(counting(10), 16, 1, 0));

    assertTrue(e.getMessage().contains("10 tokens, fewer than one window of 16"), e.getMessage());
  }
}
