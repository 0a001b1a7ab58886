package org.calmworkbench.visualizers;

import java.awt.BasicStroke;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javafx.animation.PauseTransition;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.Slider;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Region;
import org.calmworkbench.csv.Csv;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * A line chart for values that arrive while something runs (a loss per training step), in the
 * manner of TensorBoard: several named series, a smoothing slider (debiased EMA, see {@link
 * Smoothing}; the raw curve stays visible, faded), a log/linear y toggle, and export of the chart
 * as PNG and of the data as CSV.
 *
 * <p>Call it on the FX thread. Adding a point is cheap: it is stored without notifying the chart,
 * and the chart redraws once per refresh (at most {@link #REFRESH_PER_SECOND} times a second)
 * however many points and series changed, and the charts of a window take turns, one redraw per
 * frame ({@link FramePacer}). The chart draws at most {@link #MAX_PLOTTED_POINTS}
 * points per curve: a longer series is drawn decimated, the lowest and highest value of each
 * bucket of consecutive points kept (spikes stay visible), so a redraw costs the same after 100
 * steps or 100 000; every point is kept for smoothing and CSV. A new series, and clearing, are
 * drawn by that same paced redraw: adding and styling a series redrew the chart 7 times otherwise
 * (a training page's first points held the FX thread up to 462 ms in the long-session run,
 * docs/RELIABILITY.md). Feed it from background work through a coalescing dispatcher that hands
 * over batches.
 */
public final class LiveLineChart extends BorderPane {
  /** Distinct, colour-blind-friendly series colours (Okabe-Ito). */
  private static final java.awt.Color[] PALETTE = {
    new java.awt.Color(0, 114, 178), new java.awt.Color(213, 94, 0), new java.awt.Color(0, 158, 115),
    new java.awt.Color(204, 121, 167), new java.awt.Color(230, 159, 0), new java.awt.Color(86, 180, 233),
    new java.awt.Color(0, 0, 0), new java.awt.Color(240, 228, 66)
  };

  /** Most points drawn per curve (raw and smoothed each); more are decimated by min/max buckets. */
  public static final int MAX_PLOTTED_POINTS = 1600;
  /** Most redraws per second while points stream in (a loss curve needs no more; redraws cost FX time). */
  public static final int REFRESH_PER_SECOND = 10;

  private final JFreeChart chart;
  private final XYPlot plot;
  private final XYLineAndShapeRenderer renderer;
  private final XYSeriesCollection dataset = new XYSeriesCollection();
  private final Map<String, Series> series = new LinkedHashMap<>();
  private final Set<Series> dirty = new LinkedHashSet<>();
  private final DoubleProperty smoothing = new SimpleDoubleProperty(this, "smoothing", 0.6);
  private final BooleanProperty logScale = new SimpleBooleanProperty(this, "logScale", false);
  private final ChartViewer viewer;
  private final Label help = ChartHelp.label();
  private final String yLabel;
  private boolean flushScheduled;
  private long lastFlushNanos;
  private final Runnable flushTask = this::flush; // one object, so the frame pacer can tell it is queued
  private double[] fixedRange; // null: auto range
  private double minimumRange; // smallest auto range of the linear y axis (0: JFreeChart's default)
  private final Map<String, Look> looks = new LinkedHashMap<>(); // series drawn like another one

  /** A series drawn in the colour of {@code like}, dashed or not (e.g. a baseline beside its model). */
  private record Look(String like, boolean dashed) {}

  /** One named series: all points kept (for CSV and re-smoothing), plus its raw and smoothed plot series. */
  private static final class Series {
    final String name;
    final int index;
    final XYSeries raw;
    final XYSeries smooth;
    double[] xs = new double[64];
    double[] ys = new double[64];
    double[] ss = new double[64]; // smoothed ys
    int size;
    boolean decimated; // the plot series hold a decimated copy, rebuilt at each flush
    Smoothing ema;

    Series(String name, int index, double weight) {
      this.name = name;
      this.index = index;
      this.raw = new XYSeries(name, false, true);
      this.smooth = new XYSeries(name + " (smoothed)", false, true);
      this.ema = new Smoothing(weight);
    }

    void add(double x, double y) {
      if (size == xs.length) {
        xs = Arrays.copyOf(xs, size * 2);
        ys = Arrays.copyOf(ys, size * 2);
        ss = Arrays.copyOf(ss, size * 2);
      }
      xs[size] = x;
      ys[size] = y;
      ss[size] = ema.next(y);
      if (!decimated) {
        raw.add(x, y, false);
        smooth.add(x, ss[size], false);
      }
      size++;
      decimated = size > MAX_PLOTTED_POINTS;
    }

    /** Re-fills the plot series from all points: as they are, or decimated when too many. */
    void replot() {
      raw.clear();
      smooth.clear();
      for (int i : plottedIndices(ys, size)) {
        raw.add(xs[i], ys[i], false);
      }
      for (int i : plottedIndices(ss, size)) {
        smooth.add(xs[i], ss[i], false);
      }
    }

    /** Recomputes the smoothed values with a new EMA weight. */
    void resmooth(double weight) {
      ema = new Smoothing(weight);
      for (int i = 0; i < size; i++) {
        ss[i] = ema.next(ys[i]);
      }
    }
  }

  public LiveLineChart(String title, String xLabel, String yLabel) {
    this.yLabel = yLabel;
    chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, dataset, PlotOrientation.VERTICAL, true, true, false);
    plot = ChartLook.xy(chart);
    renderer = new XYLineAndShapeRenderer(true, false);
    renderer.setDefaultToolTipGenerator(LiveLineChart::toolTip);
    plot.setRenderer(renderer);
    plot.setRangeAxis(newAxis(false));
    ((NumberAxis) plot.getDomainAxis()).setAutoRangeIncludesZero(false);

    viewer = new ChartViewer(chart);
    viewer.setMinSize(120, 100);
    setCenter(viewer);
    setBottom(toolbar());

    smoothing.addListener((o, a, b) -> resmooth());
    logScale.addListener((o, a, b) -> {
      plot.setRangeAxis(newAxis(b));
      applyRange();
    });
  }

  /**
   * The hover text of one plotted point, e.g. {@code "train: x = 1200, y = 0.4211"}. JFreeChart
   * asks for it for every point of every curve on every redraw (it keeps one per point for the
   * mouse), so it is built by plain concatenation: the stock generator's MessageFormat made it the
   * largest part of a redraw (a 47 ms redraw in the FX-stall benchmark sat in it).
   */
  static String toolTip(org.jfree.data.xy.XYDataset data, int series, int item) {
    return data.getSeriesKey(series) + ": x = " + shortNumber(data.getXValue(series, item)) + ", y = "
        + shortNumber(data.getYValue(series, item));
  }

  private static final long[] POWERS_OF_TEN = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000};

  /** A number in a few characters without a Formatter: integers as such, else 4 significant digits. */
  static String shortNumber(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return Double.toString(v);
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    double a = Math.abs(v);
    if (a >= 1e-4 && a < 1e6) {
      int digits = Math.max(0, 3 - (int) Math.floor(Math.log10(a))); // 4 significant digits
      long scale = POWERS_OF_TEN[digits];
      long r = Math.round(a * scale);
      StringBuilder sb = new StringBuilder(16);
      if (v < 0) {
        sb.append('-');
      }
      sb.append(r / scale);
      long frac = r % scale;
      if (frac != 0) {
        String f = Long.toString(frac + scale).substring(1); // zero-padded to `digits`
        int end = f.length();
        while (f.charAt(end - 1) == '0') {
          end--;
        }
        sb.append('.').append(f, 0, end);
      }
      return sb.toString();
    }
    return Float.toString((float) v);
  }

  private FlowPane toolbar() {
    Label label = new Label("Smoothing");
    Slider slider = new Slider(0, 0.99, smoothing.get());
    slider.valueProperty().bindBidirectional(smoothing);
    slider.setPrefWidth(110);
    Label value = new Label();
    value.textProperty().bind(smoothing.asString(Locale.ROOT, "%.2f"));
    Tooltip smoothingTip = new Tooltip("Smoothing w: each plotted point is an exponential moving average,"
        + " ema = w * ema + (1 - w) * value (debiased as in TensorBoard). 0 shows the raw values;"
        + " the raw curve stays visible, faded.");
    smoothingTip.setWrapText(true);
    smoothingTip.setMaxWidth(360);
    label.setTooltip(smoothingTip);
    slider.setTooltip(smoothingTip);
    CheckBox log = new CheckBox("Log y");
    log.selectedProperty().bindBidirectional(logScale);
    log.setTooltip(new Tooltip("Logarithmic y axis: equal ratios look equal, so slow late progress stays visible."));
    Button png = new Button("PNG…");
    png.setTooltip(new Tooltip("Save this chart as a PNG image."));
    png.setOnAction(e -> Exports.saveAs(this, "PNG image", ".png", chartTitle(), f -> writePng(f, 1200, 700)));
    Button csv = new Button("CSV…");
    csv.setTooltip(new Tooltip("Save the data of every series as CSV (series, x, y, smoothed y)."));
    csv.setOnAction(e -> Exports.saveAs(this, "CSV table", ".csv", chartTitle(), this::writeCsv));
    help.getStyleClass().add("live-chart-help");
    // Wraps onto a second line when the chart is narrow, rather than cutting labels to "...".
    HBox smoothingGroup = new HBox(4, label, slider, value);
    smoothingGroup.setAlignment(Pos.CENTER_LEFT);
    HBox exportGroup = new HBox(4, png, csv);
    FlowPane bar = new FlowPane(8, 2, help, smoothingGroup, log, exportGroup);
    bar.setAlignment(Pos.CENTER_LEFT);
    for (javafx.scene.Node n : List.of(help, label, value, log, png, csv)) {
      ((Region) n).setMinWidth(Region.USE_PREF_SIZE);
    }
    bar.setPadding(new Insets(2, 4, 2, 4));
    bar.getStyleClass().add("live-chart-toolbar");
    return bar;
  }

  private String chartTitle() {
    return chart.getTitle() == null ? "" : chart.getTitle().getText();
  }

  private ValueAxis newAxis(boolean log) {
    if (log) {
      LogAxis a = new LogAxis(yLabel);
      a.setSmallestValue(1e-9);
      a.setAutoRange(true);
      return a;
    }
    NumberAxis a = new NumberAxis(yLabel);
    a.setAutoRangeIncludesZero(false);
    if (minimumRange > 0) {
      a.setAutoRangeMinimumSize(minimumRange);
    }
    return a;
  }

  // ---------------------------------------------------------------------------------------------
  // Data

  /** Appends one point to {@code name} (created on first use). FX thread only. */
  public void addPoint(String name, double x, double y) {
    Series s = series(name);
    s.add(x, y);
    markDirty(s);
  }

  /** Removes every series. */
  public void clear() {
    mute();
    series.clear();
    dirty.clear();
    dataset.removeAllSeries();
  }

  /** Removes one series' points (the series keeps its colour). */
  public void clearSeries(String name) {
    Series s = series.get(name);
    if (s != null) {
      s.size = 0;
      s.decimated = false;
      s.raw.clear();
      s.smooth.clear();
      s.ema = new Smoothing(weight());
    }
  }

  public Set<String> seriesNames() {
    return java.util.Collections.unmodifiableSet(series.keySet());
  }

  /** Points in {@code name} so far (0 for an unknown series). */
  public int pointCount(String name) {
    Series s = series.get(name);
    return s == null ? 0 : s.size;
  }

  /** The y values of {@code name} (a copy). */
  public double[] values(String name) {
    Series s = series.get(name);
    return s == null ? new double[0] : Arrays.copyOf(s.ys, s.size);
  }

  /** Fixes the y axis to [lo, hi] (e.g. [0, 1] for accuracies) on the linear scale. */
  public void setYRange(double lo, double hi) {
    fixedRange = new double[] {lo, hi};
    applyRange();
  }

  /**
   * The linear y axis spans at least {@code size} (e.g. 1 for a score in 0..100), so a curve that
   * stays flat is drawn as flat rather than magnified to a range of 1e-9.
   */
  public void setMinimumYRange(double size) {
    minimumRange = size;
    if (plot.getRangeAxis() instanceof NumberAxis a) {
      a.setAutoRangeMinimumSize(size);
    }
  }

  /** Shows "What is this?" in the toolbar with {@code text} as its tooltip (what the chart measures). */
  public void setHelp(String text) {
    ChartHelp.show(help, text);
  }

  /**
   * Draws series {@code name} in the colour of series {@code like} (for a baseline beside the model
   * it is compared with: same colour, dashed). Takes effect for the series whenever it exists.
   */
  public void styleLike(String name, String like, boolean dashed) {
    looks.put(name, new Look(like, dashed));
    Series s = series.get(name);
    if (s != null) {
      styleSeries(s);
    }
  }

  /** Changes the x axis label (e.g. when the x axis switches from steps to FLOPs). */
  public void setXLabel(String label) {
    plot.getDomainAxis().setLabel(label);
  }

  /** Draws a marker at every point; for short curves such as accuracy against noise. */
  public void setShapesVisible(boolean visible) {
    renderer.setDefaultShapesVisible(visible);
  }

  public DoubleProperty smoothingProperty() {
    return smoothing;
  }

  public BooleanProperty logScaleProperty() {
    return logScale;
  }

  public JFreeChart chart() {
    return chart;
  }

  private Series series(String name) {
    Series s = series.get(name);
    if (s == null) {
      mute(); // adding the series and styling it would redraw the chart once per call (7 calls)
      s = new Series(name, series.size(), weight());
      series.put(name, s);
      dataset.addSeries(s.raw);
      dataset.addSeries(s.smooth);
      styleSeries(s);
    }
    return s;
  }

  private double weight() {
    return Math.max(0, Math.min(0.99, smoothing.get()));
  }

  private void styleSeries(Series s) {
    Look look = looks.get(s.name);
    Series model = look == null ? null : series.get(look.like());
    java.awt.Color c = PALETTE[(model != null ? model.index : s.index) % PALETTE.length];
    float[] dash = look != null && look.dashed() ? new float[] {6f, 4f} : null;
    int rawIndex = dataset.indexOf(s.raw);
    int smoothIndex = dataset.indexOf(s.smooth);
    boolean smoothed = weight() > 0;
    renderer.setSeriesPaint(rawIndex, smoothed ? new java.awt.Color(c.getRed(), c.getGreen(), c.getBlue(), 70) : c);
    renderer.setSeriesStroke(rawIndex, stroke(smoothed ? 1f : 1.8f, smoothed ? null : dash));
    renderer.setSeriesPaint(smoothIndex, c);
    renderer.setSeriesStroke(smoothIndex, stroke(2f, dash));
    renderer.setSeriesVisible(smoothIndex, smoothed, false);
    renderer.setSeriesVisibleInLegend(smoothIndex, false, false);
    // The legend shows the raw series' key; give it the full colour so it reads clearly.
    renderer.setLegendTextPaint(rawIndex, java.awt.Color.DARK_GRAY);
  }

  private static BasicStroke stroke(float width, float[] dash) {
    return dash == null ? new BasicStroke(width)
        : new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, dash, 0f);
  }

  private void resmooth() {
    double w = weight();
    for (Series s : series.values()) {
      s.resmooth(w);
      s.replot();
      styleSeries(s);
      markDirty(s);
    }
  }

  private void applyRange() {
    ValueAxis axis = plot.getRangeAxis();
    if (fixedRange != null && !logScale.get()) {
      axis.setRange(fixedRange[0], fixedRange[1]);
    } else {
      axis.setAutoRange(true);
    }
  }

  private void markDirty(Series s) {
    dirty.add(s);
    scheduleFlush();
  }

  /**
   * Stops the chart's change events (each one a synchronous redraw in JFreeChart-FX) until the next
   * paced flush, which turns them on again with one redraw.
   */
  private void mute() {
    chart.setNotify(false);
    scheduleFlush();
  }

  private void scheduleFlush() {
    if (!flushScheduled) {
      flushScheduled = true;
      long wait = lastFlushNanos + 1_000_000_000L / REFRESH_PER_SECOND - System.nanoTime();
      if (wait <= 0) {
        FramePacer.FX.request(flushTask);
      } else {
        PauseTransition later = new PauseTransition(javafx.util.Duration.millis(Math.max(1, wait / 1e6)));
        later.setOnFinished(e -> FramePacer.FX.request(flushTask));
        later.play();
      }
    }
  }

  /**
   * Hands the changed series to the chart with one redraw: JFreeChart-FX redraws on every change
   * event, so the events are muted while the series change and one is sent at the end.
   */
  private void flush() {
    flushScheduled = false;
    lastFlushNanos = System.nanoTime();
    if (dirty.isEmpty() && chart.isNotify()) {
      return;
    }
    List<Series> changed = new ArrayList<>(dirty);
    dirty.clear();
    chart.setNotify(false);
    try {
      for (Series s : changed) {
        if (s.decimated) {
          s.replot();
        }
        s.raw.fireSeriesChanged();
        s.smooth.fireSeriesChanged();
      }
    } finally {
      chart.setNotify(true); // one chart change event: one redraw
    }
  }

  /** Points drawn per curve right now (for tests: the decimation's bound). */
  public int plottedPoints(String name) {
    Series s = series.get(name);
    return s == null ? 0 : s.raw.getItemCount();
  }

  /**
   * The indices of {@code values[0..size)} to draw: all of them when at most {@link
   * #MAX_PLOTTED_POINTS}, else the first and last point and, for each of {@code MAX/2 - 1} buckets
   * of consecutive points, the lowest and the highest (in their order), so spikes survive.
   */
  static int[] plottedIndices(double[] values, int size) {
    if (size <= MAX_PLOTTED_POINTS) {
      int[] all = new int[size];
      for (int i = 0; i < size; i++) {
        all[i] = i;
      }
      return all;
    }
    int buckets = MAX_PLOTTED_POINTS / 2 - 1;
    int[] out = new int[2 * buckets + 2];
    int n = 0;
    out[n++] = 0;
    for (int b = 0; b < buckets; b++) {
      int from = 1 + (int) ((long) b * (size - 2) / buckets);
      int to = 1 + (int) ((long) (b + 1) * (size - 2) / buckets); // exclusive
      int lo = from;
      int hi = from;
      for (int i = from; i < to; i++) {
        if (values[i] < values[lo] || Double.isNaN(values[lo])) {
          lo = i;
        }
        if (values[i] > values[hi] || Double.isNaN(values[hi])) {
          hi = i;
        }
      }
      if (to > from) {
        out[n++] = Math.min(lo, hi);
        if (hi != lo) {
          out[n++] = Math.max(lo, hi);
        }
      }
    }
    out[n++] = size - 1;
    return Arrays.copyOf(out, n);
  }

  // ---------------------------------------------------------------------------------------------
  // Export

  /** The chart as a PNG of the given size (independent of the size on screen). */
  public void writePng(Path file, int width, int height) throws IOException {
    Exports.writePng(chart, file, width, height);
  }

  /** The data as CSV: {@code series,x,y,smoothed} with one row per point. */
  public void writeCsv(Path file) throws IOException {
    Exports.writeString(file, toCsv());
  }

  public String toCsv() {
    StringBuilder sb = new StringBuilder(Csv.line(List.of("series", "x", "y", "smoothed")));
    double w = weight();
    for (Series s : series.values()) {
      double[] sm = Smoothing.ema(Arrays.copyOf(s.ys, s.size), w); // the slider's weight now
      for (int i = 0; i < s.size; i++) {
        sb.append(Csv.line(List.of(s.name, s.xs[i], s.ys[i], sm[i])));
      }
    }
    return sb.toString();
  }
}
