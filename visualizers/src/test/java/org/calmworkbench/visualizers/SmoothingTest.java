package org.calmworkbench.visualizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import javafx.scene.paint.Color;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SmoothingTest {
  @Test
  void zeroWeightReturnsTheRawValues() {
    double[] ys = {3, 1, 4, 1, 5};
    assertArrayEquals(ys, Smoothing.ema(ys, 0), 0);
  }

  @ParameterizedTest
  @ValueSource(doubles = {0.3, 0.6, 0.9, 0.99})
  void debiasingKeepsAConstantSeriesConstant(double w) {
    double[] out = Smoothing.ema(new double[] {2, 2, 2, 2}, w);
    for (double v : out) {
      assertEquals(2, v, 1e-12);
    }
  }

  @Test
  void matchesTensorBoardsFormulaByHand() {
    // w = 0.5: ema1 = 0.5*0 + 0.5*4 = 2 -> /0.5 = 4; ema2 = 1 + 0 = 1 -> /0.75 = 4/3
    assertArrayEquals(new double[] {4, 4.0 / 3}, Smoothing.ema(new double[] {4, 0}, 0.5), 1e-12);
  }

  @Test
  void nonFiniteValuesPassThroughWithoutDisturbingTheAverage() {
    double[] out = Smoothing.ema(new double[] {1, Double.NaN, 1}, 0.5);
    assertEquals(1, out[0], 1e-12);
    assertEquals(Double.NaN, out[1]);
    assertEquals(1, out[2], 1e-12);
  }

  @Test
  void rejectsWeightOne() {
    assertThrows(IllegalArgumentException.class, () -> new Smoothing(1));
  }

  @Test
  void divergingScaleIsWhiteAtZeroAndSaturatesAtTheEnds() {
    assertEquals(DivergingColorScale.ZERO, DivergingColorScale.color(0, 1));
    assertEquals(DivergingColorScale.POSITIVE, DivergingColorScale.color(2, 1));
    assertEquals(DivergingColorScale.NEGATIVE, DivergingColorScale.color(-1, 1));
    Color half = DivergingColorScale.color(0.5, 1);
    assertEquals(DivergingColorScale.ZERO.interpolate(DivergingColorScale.POSITIVE, 0.5), half);
    assertEquals(3.0, DivergingColorScale.maxAbs(new float[] {1, -3, Float.NaN}), 0);
  }
}
