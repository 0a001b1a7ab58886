package org.calmworkbench.visualizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** What a long live curve draws: few enough points for a cheap redraw, its spikes and ends kept. */
class LiveLineChartDecimationTest {
  @Test
  void shortSeriesAreDrawnWhole() {
    double[] ys = {3, 1, 4, 1, 5};
    assertArrayEquals(new int[] {0, 1, 2, 3, 4}, LiveLineChart.plottedIndices(ys, ys.length));
  }

  @Test
  void longSeriesAreBoundedAndKeepEndsSpikesAndOrder() {
    int n = 100_000;
    double[] ys = new double[n];
    SplittableRandom rng = new SplittableRandom(1);
    for (int i = 0; i < n; i++) {
      ys[i] = 2.0 / Math.sqrt(1 + i) + 0.01 * rng.nextDouble(); // a falling loss
    }
    ys[61_234] = 9.0; // one NaN-free spike, as a loss spike in training
    ys[70_001] = -1.0;
    int[] kept = LiveLineChart.plottedIndices(ys, n);
    assertTrue(kept.length <= LiveLineChart.MAX_PLOTTED_POINTS, "drawn points: " + kept.length);
    assertTrue(kept.length > LiveLineChart.MAX_PLOTTED_POINTS / 2, "too few drawn: " + kept.length);
    assertEquals(0, kept[0]);
    assertEquals(n - 1, kept[kept.length - 1]);
    for (int i = 1; i < kept.length; i++) {
      assertTrue(kept[i] > kept[i - 1], "indices in order at " + i);
    }
    assertTrue(Arrays.stream(kept).anyMatch(i -> i == 61_234), "the spike is drawn");
    assertTrue(Arrays.stream(kept).anyMatch(i -> i == 70_001), "the dip is drawn");
  }

  @Test
  void everyBucketContributesItsExtremes() {
    int n = LiveLineChart.MAX_PLOTTED_POINTS * 10;
    double[] ys = new double[n];
    for (int i = 0; i < n; i++) {
      ys[i] = Math.sin(i / 50.0);
    }
    int[] kept = LiveLineChart.plottedIndices(ys, n);
    double max = Arrays.stream(kept).mapToDouble(i -> ys[i]).max().orElseThrow();
    double min = Arrays.stream(kept).mapToDouble(i -> ys[i]).min().orElseThrow();
    assertEquals(1.0, max, 1e-3);
    assertEquals(-1.0, min, 1e-3);
  }
}
