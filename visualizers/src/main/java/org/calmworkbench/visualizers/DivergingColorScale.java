package org.calmworkbench.visualizers;

import javafx.scene.paint.Color;

/**
 * Blue for negative, white for zero, red for positive (ColorBrewer RdBu end points), symmetric
 * around zero so that the sign of a value is read at a glance and equal magnitudes look equally
 * strong.
 */
public final class DivergingColorScale {
  private DivergingColorScale() {}

  static final Color NEGATIVE = Color.rgb(33, 102, 172);
  static final Color ZERO = Color.rgb(247, 247, 247);
  static final Color POSITIVE = Color.rgb(178, 24, 43);

  /** The colour of {@code value} on a scale that saturates at {@code +-maxAbs}. */
  public static Color color(double value, double maxAbs) {
    if (!Double.isFinite(value)) {
      return Color.GRAY;
    }
    if (!(maxAbs > 0)) {
      return ZERO;
    }
    double t = Math.max(-1, Math.min(1, value / maxAbs));
    return t < 0 ? ZERO.interpolate(NEGATIVE, -t) : ZERO.interpolate(POSITIVE, t);
  }

  /** The largest finite |v| in {@code values}, 0 if none. */
  public static double maxAbs(float[] values) {
    double m = 0;
    for (float v : values) {
      if (Float.isFinite(v)) {
        m = Math.max(m, Math.abs(v));
      }
    }
    return m;
  }
}
