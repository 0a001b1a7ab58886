package org.calmworkbench.visualizers;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.List;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.Region;
import org.calmworkbench.csv.Csv;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.labels.StandardCategoryToolTipGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * A grouped bar chart (JFreeChart): one group per category, one bar per series in each group, with
 * a legend, a tooltip per bar (series, category, value) and PNG export. Use it for a few series
 * over a few categories (frequencies against a target), or one series that grows (a value per step).
 *
 * <p>Call it on the FX thread.
 */
public final class BarChartView extends BorderPane {
  /** Okabe-Ito colours, as {@link LiveLineChart}, starting with grey for a reference series. */
  private static final Color[] PALETTE = {
    new Color(0, 114, 178), new Color(213, 94, 0), new Color(0, 158, 115), new Color(204, 121, 167),
    new Color(230, 159, 0), new Color(86, 180, 233), new Color(120, 120, 120), new Color(240, 228, 66)
  };

  private final JFreeChart chart;
  private final CategoryPlot plot;
  private final BarRenderer renderer;
  private final DefaultCategoryDataset dataset = new DefaultCategoryDataset();
  private final Label help = ChartHelp.label();
  private final FlowPane toolbar;

  /**
   * @param title chart title (may be empty)
   * @param categoryLabel the x axis
   * @param valueLabel the y axis
   */
  public BarChartView(String title, String categoryLabel, String valueLabel) {
    chart = ChartFactory.createBarChart(title, categoryLabel, valueLabel, dataset, PlotOrientation.VERTICAL, true, true,
        false);
    ChartLook.fastTextMetrics(chart);
    chart.setBackgroundPaint(Color.WHITE);
    if (chart.getTitle() != null) {
      chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
    }
    chart.getLegend().setItemFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    plot = chart.getCategoryPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(new Color(225, 225, 225));
    renderer = (BarRenderer) plot.getRenderer();
    renderer.setBarPainter(new StandardBarPainter()); // flat bars, no gradient or shadow
    renderer.setShadowVisible(false);
    renderer.setItemMargin(0.04);
    renderer.setDefaultToolTipGenerator(
        new StandardCategoryToolTipGenerator("{0}, {1}: {2}", new DecimalFormat("0.0000")));
    for (int i = 0; i < PALETTE.length; i++) {
      renderer.setSeriesPaint(i, PALETTE[i]);
    }
    CategoryAxis x = plot.getDomainAxis();
    x.setCategoryMargin(0.2);
    x.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    ChartViewer viewer = new ChartViewer(chart);
    viewer.setMinSize(120, 100);
    setCenter(viewer);
    Button png = new Button("PNG…");
    png.setTooltip(new Tooltip("Save this chart as a PNG image."));
    png.setOnAction(e -> Exports.saveAs(this, "PNG image", ".png", chartTitle(), f -> writePng(f, 1200, 700)));
    Button csv = new Button("CSV…");
    csv.setTooltip(new Tooltip("Save the bars as CSV (series, category, value)."));
    csv.setOnAction(e -> Exports.saveAs(this, "CSV table", ".csv", chartTitle(),
        f -> Files.writeString(f, toCsv(), StandardCharsets.UTF_8)));
    // Wraps onto a second line when the chart is narrow (as LiveLineChart's), rather than cutting to "...".
    toolbar = new FlowPane(8, 2, help, png, csv);
    for (Region r : List.of(help, png, csv)) {
      r.setMinWidth(Region.USE_PREF_SIZE);
    }
    toolbar.setAlignment(Pos.CENTER_LEFT);
    toolbar.setPadding(new Insets(2, 4, 2, 4));
    setBottom(toolbar);
  }

  private String chartTitle() {
    return chart.getTitle() == null ? "" : chart.getTitle().getText();
  }

  /** Shows or hides the PNG/CSV buttons and the help link (hidden for a small strip). */
  public void setToolbarVisible(boolean visible) {
    toolbar.setVisible(visible);
    toolbar.setManaged(visible);
  }

  /**
   * Replaces everything with {@code values[s][c]} for series {@code s} and category {@code c}.
   *
   * @throws IllegalArgumentException when the shapes do not match
   */
  public void setData(List<String> series, List<String> categories, double[][] values) {
    if (values.length != series.size()) {
      throw new IllegalArgumentException(series.size() + " series but " + values.length + " rows of values");
    }
    dataset.clear();
    for (int s = 0; s < series.size(); s++) {
      if (values[s].length != categories.size()) {
        throw new IllegalArgumentException("series '" + series.get(s) + "' has " + values[s].length + " values for "
            + categories.size() + " categories");
      }
      for (int c = 0; c < categories.size(); c++) {
        dataset.addValue(values[s][c], series.get(s), categories.get(c));
      }
    }
  }

  /** Sets one bar (adding its series or category if new); for charts that grow while something runs. */
  public void setValue(String series, String category, double value) {
    dataset.setValue(value, series, category);
  }

  /** Removes every bar. */
  public void clear() {
    dataset.clear();
  }

  /** The bar of {@code series} in {@code category}; NaN if there is none. */
  public double value(String series, String category) {
    int r = dataset.getRowIndex(series);
    int c = dataset.getColumnIndex(category);
    if (r < 0 || c < 0) {
      return Double.NaN;
    }
    Number n = dataset.getValue(r, c);
    return n == null ? Double.NaN : n.doubleValue();
  }

  @SuppressWarnings("unchecked")
  public List<String> seriesNames() {
    List<String> out = new ArrayList<>();
    for (Object k : dataset.getRowKeys()) {
      out.add(String.valueOf(k));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  public List<String> categories() {
    List<String> out = new ArrayList<>();
    for (Object k : dataset.getColumnKeys()) {
      out.add(String.valueOf(k));
    }
    return out;
  }

  /** Fixes the value axis to [lo, hi]; {@code Double.NaN} for hi keeps it automatic above lo. */
  public void setValueRange(double lo, double hi) {
    NumberAxis axis = (NumberAxis) plot.getRangeAxis();
    if (Double.isNaN(hi)) {
      axis.setAutoRange(true);
      axis.setAutoRangeIncludesZero(lo == 0);
    } else {
      axis.setRange(lo, hi);
    }
  }

  /** Colours series {@code index} (in the order series were first added). */
  public void setSeriesColor(int index, javafx.scene.paint.Color color) {
    renderer.setSeriesPaint(index, new Color((float) color.getRed(), (float) color.getGreen(), (float) color.getBlue(),
        (float) color.getOpacity()));
  }

  /** Caps each bar's width at this fraction of the axis, so a few bars do not fill the chart. */
  public void setMaximumBarWidth(double fraction) {
    renderer.setMaximumBarWidth(fraction);
  }

  /** Hides the legend (for a single series whose meaning the title already says). */
  public void setLegendVisible(boolean visible) {
    chart.getLegend().setVisible(visible);
  }

  /** Turns category labels 45 degrees, for many categories (one per generation step). */
  public void setSlantedCategoryLabels(boolean slanted) {
    plot.getDomainAxis().setCategoryLabelPositions(slanted ? CategoryLabelPositions.UP_45 : CategoryLabelPositions.STANDARD);
  }

  /** Hides category tick labels (a sparkline-like bar strip). */
  public void setCategoryLabelsVisible(boolean visible) {
    plot.getDomainAxis().setTickLabelsVisible(visible);
  }

  /** Shows "What is this?" under the chart with {@code text} as its tooltip. */
  public void setHelp(String text) {
    ChartHelp.show(help, text);
  }

  public JFreeChart chart() {
    return chart;
  }

  /** The chart as a PNG of the given size. */
  public void writePng(Path file, int width, int height) throws IOException {
    ChartUtils.saveChartAsPNG(file.toFile(), chart, width, height);
  }

  /** The data as CSV: {@code series,category,value}. */
  public String toCsv() {
    StringBuilder sb = new StringBuilder(Csv.line(List.of("series", "category", "value")));
    for (String s : seriesNames()) {
      for (String c : categories()) {
        double v = value(s, c);
        if (!Double.isNaN(v)) {
          sb.append(Csv.line(List.of(s, c, v)));
        }
      }
    }
    return sb.toString();
  }
}
