package org.calmworkbench.visualizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.fx.FXHints;
import org.junit.jupiter.api.Test;

/** Charts measure their text with AWT metrics, and that hint reaches the graphics they draw on. */
class ChartLookTest {
  @Test
  void chartsAskForAwtTextMetricsOnEveryDraw() {
    JFreeChart chart = ChartFactory.createXYLineChart("t", "x", "y", new XYSeriesCollection());
    assertNull(chart.getRenderingHints().get(FXHints.KEY_USE_FX_FONT_METRICS));
    ChartLook.xy(chart);
    assertEquals(Boolean.FALSE, chart.getRenderingHints().get(FXHints.KEY_USE_FX_FONT_METRICS));

    // JFreeChart copies its hints onto the target graphics when it draws: a canvas that asked for
    // JavaFX metrics beforehand (as JFreeChart-FX's ChartCanvas does) ends up with AWT metrics.
    BufferedImage image = new BufferedImage(200, 100, BufferedImage.TYPE_INT_ARGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(FXHints.KEY_USE_FX_FONT_METRICS, Boolean.TRUE);
    chart.draw(g, new java.awt.geom.Rectangle2D.Double(0, 0, 200, 100));
    assertEquals(Boolean.FALSE, g.getRenderingHint(FXHints.KEY_USE_FX_FONT_METRICS));
    g.dispose();
  }

  @Test
  void liveChartHoverTextIsShortAndExact() {
    assertEquals("1200", LiveLineChart.shortNumber(1200));
    assertEquals("0.4211", LiveLineChart.shortNumber(0.421149));
    assertEquals("12.35", LiveLineChart.shortNumber(12.3456));
    assertEquals("-0.5", LiveLineChart.shortNumber(-0.5));
    assertEquals("1.0E-7", LiveLineChart.shortNumber(1e-7));
    assertEquals("NaN", LiveLineChart.shortNumber(Double.NaN));
    assertEquals("0.0001235", LiveLineChart.shortNumber(0.00012345));
    assertEquals("1000000", LiveLineChart.shortNumber(999999.94)); // no decimals above 1000: rounds to an integer
    assertEquals("1.05", LiveLineChart.shortNumber(1.0500001));
    assertEquals("-2.001", LiveLineChart.shortNumber(-2.0005001));
    org.jfree.data.xy.XYSeries s = new org.jfree.data.xy.XYSeries("train");
    s.add(300, 0.123456);
    assertEquals("train: x = 300, y = 0.1235", LiveLineChart.toolTip(new XYSeriesCollection(s), 0, 0));
  }
}
