package org.calmworkbench.visualizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import javafx.scene.paint.Color;
import org.junit.jupiter.api.Test;

/** The scatter's colour scales (no screen needed). */
class ScatterViewTest {
  @Test
  void sequentialRunsFromDarkToLightAndClampsOutsideZeroToOne() {
    Color lo = ScatterView.sequential(0);
    Color hi = ScatterView.sequential(1);
    assertEquals(lo, ScatterView.sequential(-3));
    assertEquals(hi, ScatterView.sequential(7));
    double previous = -1;
    for (double t = 0; t <= 1.0001; t += 0.1) {
      double brightness = ScatterView.sequential(t).getBrightness();
      assertEquals(true, brightness >= previous - 0.05, "brightness grows along the scale at t=" + t);
      previous = brightness;
    }
    assertEquals(Color.GRAY, ScatterView.sequential(Double.NaN));
  }

  @Test
  void categoricalColoursDifferForNeighbouringCategoriesAndRepeatAfterTen() {
    for (int i = 0; i < 9; i++) {
      assertNotEquals(ScatterView.categorical(i), ScatterView.categorical(i + 1));
    }
    assertEquals(ScatterView.categorical(3), ScatterView.categorical(13));
    assertEquals(ScatterView.categorical(9), ScatterView.categorical(-1));
  }
}
