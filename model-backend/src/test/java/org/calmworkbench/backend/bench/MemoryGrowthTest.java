package org.calmworkbench.backend.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryGrowthTest {
  private static MemoryGrowth.Sample s(long step, long rss, long heap) {
    return new MemoryGrowth.Sample(step, rss, heap);
  }

  @Test
  void growthIsFromTheFirstSampleAfterWarmupToTheLast() {
    List<MemoryGrowth.Sample> samples = List.of(s(500, 100, 10), s(1000, 200, 20), s(1500, 300, 19), s(2000, 210, 22));
    assertEquals(5.0, MemoryGrowth.percent(samples, 1000, MemoryGrowth.Sample::rssBytes), 1e-9);
    assertEquals(10.0, MemoryGrowth.percent(samples, 1000, MemoryGrowth.Sample::heapUsedBytes), 1e-9);
    // the peak after warm-up counts even though it came down again
    assertEquals(50.0, MemoryGrowth.peakPercent(samples, 1000, MemoryGrowth.Sample::rssBytes), 1e-9);
  }

  @Test
  void warmupBetweenSamplesUsesTheNextOne() {
    List<MemoryGrowth.Sample> samples = List.of(s(500, 100, 1), s(1000, 200, 1), s(1500, 180, 1));
    assertEquals(1000, MemoryGrowth.baseline(samples, 700).step());
    assertEquals(-10.0, MemoryGrowth.percent(samples, 700, MemoryGrowth.Sample::rssBytes), 1e-9);
  }

  @Test
  void undefinedWithoutALaterSampleOrWithUnknownValues() {
    List<MemoryGrowth.Sample> samples = List.of(s(500, 100, 1), s(1000, 200, 1));
    assertTrue(Double.isNaN(MemoryGrowth.percent(samples, 1000, MemoryGrowth.Sample::rssBytes)));
    assertTrue(Double.isNaN(MemoryGrowth.peakPercent(samples, 1000, MemoryGrowth.Sample::rssBytes)));
    assertNull(MemoryGrowth.baseline(samples, 1001));
    assertTrue(Double.isNaN(MemoryGrowth.percent(samples, 1001, MemoryGrowth.Sample::rssBytes)));
    List<MemoryGrowth.Sample> unknown = List.of(s(0, -1, 5), s(10, -1, 6));
    assertTrue(Double.isNaN(MemoryGrowth.percent(unknown, 0, MemoryGrowth.Sample::rssBytes)));
    assertEquals(20.0, MemoryGrowth.percent(unknown, 0, MemoryGrowth.Sample::heapUsedBytes), 1e-9);
  }

  @Test
  void nativePartIsRssMinusCommittedHeap() {
    MemoryGrowth.Sample a = new MemoryGrowth.Sample(1000, 300, 10, 100, 15, 81);
    MemoryGrowth.Sample b = new MemoryGrowth.Sample(2000, 340, 10, 132, 15, 81); // G1 took 32 of the 40
    assertEquals(200, a.nativeBytes());
    assertEquals(208, b.nativeBytes());
    assertEquals(4.0, MemoryGrowth.percent(List.of(a, b), 1000, MemoryGrowth.Sample::nativeBytes), 1e-9);
    assertEquals(-1, s(0, 100, 1).nativeBytes()); // committed heap unknown
    assertEquals(-1, new MemoryGrowth.Sample(0, -1, 1, 100, 15, 0).nativeBytes()); // RSS unknown
  }
}
