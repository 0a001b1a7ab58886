package org.calmworkbench.backend.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.calmworkbench.backend.CalmException;
import org.junit.jupiter.api.Test;

class IntervalStatsTest {
  private static long[] stamps(double... gapsMs) {
    long[] t = new long[gapsMs.length + 1];
    t[0] = 1_000_000_000L;
    for (int i = 0; i < gapsMs.length; i++) {
      t[i + 1] = t[i] + Math.round(gapsMs[i] * 1e6);
    }
    return t;
  }

  @Test
  void steadyPulsesHaveNoStalls() {
    double[] gaps = new double[600];
    java.util.Arrays.fill(gaps, 16.7);
    IntervalStats.Summary s = IntervalStats.of(stamps(gaps), 601, 50);
    assertEquals(600, s.gaps());
    assertEquals(16.7, s.maxMs(), 1e-6);
    assertEquals(16.7, s.p50Ms(), 1e-6);
    assertEquals(16.7, s.meanMs(), 1e-6);
    assertEquals(0, s.overThreshold());
  }

  @Test
  void oneLongGapIsTheMaxAndCountsAsAStallButNotTheMedian() {
    double[] gaps = new double[200];
    java.util.Arrays.fill(gaps, 16);
    gaps[57] = 120;
    gaps[130] = 50; // exactly at the threshold: not over it
    IntervalStats.Summary s = IntervalStats.of(stamps(gaps), 201, 50);
    assertEquals(120, s.maxMs(), 1e-6);
    assertEquals(16, s.p50Ms(), 1e-6);
    assertEquals(1, s.overThreshold());
    // p99 of 200 gaps is the 198th smallest: 16 (two gaps are above it)
    assertEquals(16, s.p99Ms(), 1e-6);
  }

  @Test
  void p99SeesTheWorstPercent() {
    double[] gaps = new double[100];
    for (int i = 0; i < 100; i++) {
      gaps[i] = i + 1; // 1..100 ms, shuffled order does not matter
    }
    IntervalStats.Summary s = IntervalStats.of(stamps(gaps), 101, 50);
    assertEquals(99, s.p99Ms(), 1e-6);
    assertEquals(50, s.p50Ms(), 1e-6);
    assertEquals(50, s.overThreshold()); // 51..100
    assertEquals(50.5, s.meanMs(), 1e-6);
  }

  @Test
  void onlyTheFirstNTimestampsCount() {
    long[] t = stamps(10, 10, 500);
    IntervalStats.Summary s = IntervalStats.of(t, 3, 50);
    assertEquals(2, s.gaps());
    assertEquals(10, s.maxMs(), 1e-6);
  }

  @Test
  void percentileNearestRank() {
    double[] sorted = {1, 2, 3, 4};
    assertEquals(2, IntervalStats.percentile(sorted, 50), 0);
    assertEquals(4, IntervalStats.percentile(sorted, 99), 0);
    assertEquals(1, IntervalStats.percentile(sorted, 0), 0);
    assertTrue(Double.isNaN(IntervalStats.percentile(new double[0], 50)));
  }

  @Test
  void refusesTooFewOrBackwardTimestamps() {
    assertThrows(CalmException.class, () -> IntervalStats.of(new long[] {5}, 1, 50));
    CalmException e = assertThrows(CalmException.class, () -> IntervalStats.of(new long[] {10, 20, 15}, 3, 50));
    assertTrue(e.getMessage().contains("index 2"), e.getMessage());
  }
}
