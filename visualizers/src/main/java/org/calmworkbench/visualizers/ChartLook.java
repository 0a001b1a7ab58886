package org.calmworkbench.visualizers;

import java.awt.Color;
import java.awt.Font;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.XYPlot;
import org.jfree.fx.FXHints;

/** The workbench's look for an x/y chart: white background, light grid, small sans-serif title and legend. */
final class ChartLook {
  private ChartLook() {}

  static final Color GRID = new Color(225, 225, 225);

  /**
   * Measures the chart's text with AWT's font metrics instead of JavaFX's. JFreeChart-FX's canvas
   * asks for JavaFX metrics, which build a JavaFX {@code Text} node (and lay it out) for every
   * string measured: every tick label, title and legend item of every redraw. While the JIT is
   * still cold that made a redraw cost about twice as much (5.0 against 2.3 ms per draw of a loss
   * chart in the first 200 draws, measured under Xvfb), and the FX-stall benchmark caught a 100 ms
   * pulse gap inside those Text constructors. The fonts are the same families, so the labels land
   * where they did (compared in screenshots). JFreeChart applies the chart's own hints on every
   * draw, after the canvas's, so this wins.
   */
  static void fastTextMetrics(JFreeChart chart) {
    chart.getRenderingHints().put(FXHints.KEY_USE_FX_FONT_METRICS, Boolean.FALSE);
  }

  /** Applies the look to {@code chart} and returns its plot. */
  static XYPlot xy(JFreeChart chart) {
    fastTextMetrics(chart);
    chart.setBackgroundPaint(Color.WHITE);
    chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
    chart.getLegend().setItemFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(GRID);
    plot.setRangeGridlinePaint(GRID);
    return plot;
  }
}
