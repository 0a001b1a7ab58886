package org.calmworkbench.app.gui.lmtrain;

import org.calmworkbench.app.gui.common.MetricPoint;

/**
 * One point of the CALM training page's charts, with both x values (step and training FLOPs) so the
 * x axis can switch without retraining; {@code baseline} marks the AR baseline's points.
 */
public record LmPoint(String chart, String series, boolean baseline, long step, double flops, double y) {
  /** The point on an x axis of steps or of FLOPs. */
  public MetricPoint at(XAxis axis) {
    return new MetricPoint(chart, series, axis == XAxis.FLOPS ? flops : step, y);
  }

  /** What the charts' x axis counts. */
  public enum XAxis {
    STEPS("step"),
    FLOPS("training FLOPs");

    private final String label;

    XAxis(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }

    @Override
    public String toString() {
      return label;
    }
  }
}
