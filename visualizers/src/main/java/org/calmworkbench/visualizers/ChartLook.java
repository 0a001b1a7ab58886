package org.calmworkbench.visualizers;

import java.awt.Color;
import java.awt.Font;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.XYPlot;

/** The workbench's look for an x/y chart: white background, light grid, small sans-serif title and legend. */
final class ChartLook {
  private ChartLook() {}

  static final Color GRID = new Color(225, 225, 225);

  /** Applies the look to {@code chart} and returns its plot. */
  static XYPlot xy(JFreeChart chart) {
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
