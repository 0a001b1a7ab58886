package org.calmworkbench.visualizers;

import java.awt.BasicStroke;
import java.awt.Paint;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javafx.geometry.Insets;
import javafx.geometry.Point2D;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.paint.Color;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.fx.interaction.ChartMouseEventFX;
import org.jfree.chart.fx.interaction.ChartMouseListenerFX;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.SeriesRenderingOrder;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.util.ShapeUtils;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * A 2-D scatter plot (JFreeChart) of named layers of dots, each dot with its own colour and
 * tooltip: a cloud of points coloured by some property, with layers drawn over it (a selection, a
 * noise cloud, a path). Clicking near a dot of a clickable layer reports the layer, the dot's index
 * and whether Shift was held. PNG export as the other charts.
 *
 * <p>Call it on the FX thread. Layers are drawn in the order they were first set, later ones on top.
 */
public final class ScatterView extends BorderPane {
  /** How a layer's dots are drawn. */
  public enum Mark {
    /** Filled circles (the main points). */
    DOT,
    /** Small filled circles (many samples). */
    SMALL_DOT,
    /** Small crosses (samples that failed). */
    CROSS,
    /** Large open rings (a selection). */
    RING,
    /** Dots joined by a line, in order (a path). */
    PATH
  }

  /** One dot: where, what colour, and its tooltip (may be null). */
  public record Dot(double x, double y, Color color, String label) {}

  /** An entry of the legend: a colour and what it means. */
  public record Key(String label, Color color) {}

  /** A click on a dot: its layer and index, and whether Shift was held. */
  @FunctionalInterface
  public interface ClickHandler {
    void clicked(String layer, int index, boolean shift);
  }

  /** Okabe-Ito colours, then a few more distinct ones, for categories. */
  private static final Color[] CATEGORICAL = {
    Color.rgb(0, 114, 178), Color.rgb(213, 94, 0), Color.rgb(0, 158, 115), Color.rgb(204, 121, 167),
    Color.rgb(230, 159, 0), Color.rgb(86, 180, 233), Color.rgb(240, 228, 66), Color.rgb(120, 80, 40),
    Color.rgb(100, 60, 160), Color.rgb(40, 40, 40)
  };
  /** Viridis anchors, dark to light, for ordered values. */
  private static final Color[] SEQUENTIAL = {
    Color.rgb(68, 1, 84), Color.rgb(59, 82, 139), Color.rgb(33, 145, 140), Color.rgb(94, 201, 98), Color.rgb(253, 231, 37)
  };
  /** Pixels within which a click selects the nearest dot. */
  static final double CLICK_RADIUS = 10;

  private final JFreeChart chart;
  private final XYPlot plot;
  private final XYSeriesCollection dataset = new XYSeriesCollection();
  private final Map<String, Layer> layers = new LinkedHashMap<>();
  private final ChartViewer viewer;
  private final Label help = ChartHelp.label();
  private ClickHandler onClick;
  private String fitLayer; // null: the axes fit every layer

  private static final class Layer {
    final XYSeries series;
    Mark mark;
    boolean clickable;
    List<Dot> dots = List.of();

    Layer(String name) {
      this.series = new XYSeries(name, false, true);
    }
  }

  private boolean redrawScheduled;
  private final Runnable redrawTask = this::redraw; // one object, so the frame pacer can tell it is queued

  public ScatterView(String title, String xLabel, String yLabel) {
    chart = ChartFactory.createScatterPlot(title, xLabel, yLabel, dataset, PlotOrientation.VERTICAL, true, true, false);
    plot = ChartLook.xy(chart);
    plot.setSeriesRenderingOrder(SeriesRenderingOrder.FORWARD);
    plot.setFixedLegendItems(new LegendItemCollection());
    plot.setRenderer(new Renderer());
    viewer = new ChartViewer(chart);
    viewer.setMinSize(160, 120);
    viewer.addChartMouseListener(new ChartMouseListenerFX() {
      @Override
      public void chartMouseClicked(ChartMouseEventFX e) {
        Hit hit = nearest(e.getTrigger().getX(), e.getTrigger().getY());
        if (hit != null && onClick != null) {
          onClick.clicked(hit.layer(), hit.index(), e.getTrigger().isShiftDown());
        }
      }

      @Override
      public void chartMouseMoved(ChartMouseEventFX e) {}
    });
    setCenter(viewer);
    Button png = new Button("PNG…");
    png.setId("scatter-png");
    png.setTooltip(new Tooltip("Save this chart as a PNG image."));
    png.setOnAction(e -> Exports.saveAs(this, "PNG image", ".png", chart.getTitle() == null ? "" : chart.getTitle().getText(),
        f -> writePng(f, 1200, 900)));
    HBox bar = new HBox(8, help, png);
    bar.setAlignment(Pos.CENTER_LEFT);
    bar.setPadding(new Insets(2, 4, 2, 4));
    setBottom(bar);
  }

  // ---- data -------------------------------------------------------------------------------------

  /** Replaces the dots of layer {@code name} (created on first use, above the layers before it). */
  public void setLayer(String name, List<Dot> dots, Mark mark, boolean clickable) {
    changing();
    Layer l = layers.get(name);
    if (l == null) {
      l = new Layer(name);
      layers.put(name, l);
      dataset.addSeries(l.series);
    }
    l.mark = mark;
    l.clickable = clickable;
    l.dots = List.copyOf(dots);
    l.series.clear();
    for (Dot d : l.dots) {
      l.series.add(d.x(), d.y(), false);
    }
    l.series.fireSeriesChanged();
    if (name.equals(fitLayer)) {
      fitAxes();
    }
  }

  /**
   * Fits the axes to the dots of {@code layer} alone (with a margin), so that drawing other layers
   * over it (a cloud, a path) never rescales the map under the pointer; null fits every layer.
   */
  public void setFitLayer(String layer) {
    changing();
    fitLayer = layer;
    fitAxes();
  }

  private void fitAxes() {
    Layer l = fitLayer == null ? null : layers.get(fitLayer);
    if (l == null || l.dots.isEmpty()) {
      plot.getDomainAxis().setAutoRange(true);
      plot.getRangeAxis().setAutoRange(true);
      return;
    }
    double[] x = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
    double[] y = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
    for (Dot d : l.dots) {
      x[0] = Math.min(x[0], d.x());
      x[1] = Math.max(x[1], d.x());
      y[0] = Math.min(y[0], d.y());
      y[1] = Math.max(y[1], d.y());
    }
    setRange(plot.getDomainAxis(), x);
    setRange(plot.getRangeAxis(), y);
  }

  private static void setRange(org.jfree.chart.axis.ValueAxis axis, double[] span) {
    double margin = Math.max(1e-6, 0.06 * (span[1] - span[0]));
    axis.setRange(span[0] - margin, span[1] + margin);
  }

  /** Empties layer {@code name} (it keeps its place in the drawing order). */
  public void clearLayer(String name) {
    Layer l = layers.get(name);
    if (l != null) {
      setLayer(name, List.of(), l.mark, l.clickable);
    }
  }

  /** Dots in layer {@code name} (0 for an unknown layer). */
  public int pointCount(String name) {
    Layer l = layers.get(name);
    return l == null ? 0 : l.dots.size();
  }

  /** The dots of layer {@code name} (empty for an unknown layer). */
  public List<Dot> dots(String name) {
    Layer l = layers.get(name);
    return l == null ? List.of() : l.dots;
  }

  /** The legend: one entry per key, in order. */
  public void setLegend(List<Key> keys) {
    changing();
    LegendItemCollection items = new LegendItemCollection();
    for (Key k : keys) {
      LegendItem item = new LegendItem(k.label(), null, null, null, new Ellipse2D.Double(-4, -4, 8, 8), awt(k.color()));
      items.add(item);
    }
    plot.setFixedLegendItems(items);
  }

  public void setOnClick(ClickHandler handler) {
    this.onClick = handler;
  }

  /** Shows "What is this?" beside the export button with {@code text} as its tooltip. */
  public void setHelp(String text) {
    ChartHelp.show(help, text);
  }

  public void setAxisLabels(String x, String y) {
    changing();
    plot.getDomainAxis().setLabel(x);
    plot.getRangeAxis().setLabel(y);
  }

  public JFreeChart chart() {
    return chart;
  }

  public void writePng(Path file, int width, int height) throws IOException {
    Exports.writePng(chart, file, width, height);
  }

  // ---- colours ----------------------------------------------------------------------------------

  /** A distinct colour for category {@code i} (repeats after ten). */
  public static Color categorical(int i) {
    return CATEGORICAL[Math.floorMod(i, CATEGORICAL.length)];
  }

  /** A colour for {@code t} in [0, 1] on a perceptually ordered dark-to-light scale (viridis). */
  public static Color sequential(double t) {
    if (!Double.isFinite(t)) {
      return Color.GRAY;
    }
    double x = Math.max(0, Math.min(1, t)) * (SEQUENTIAL.length - 1);
    int i = Math.min((int) x, SEQUENTIAL.length - 2);
    return SEQUENTIAL[i].interpolate(SEQUENTIAL[i + 1], x - i);
  }

  // ---- clicks -----------------------------------------------------------------------------------

  private record Hit(String layer, int index) {}

  /** The nearest dot of a clickable layer within {@link #CLICK_RADIUS} pixels of canvas point (x, y), or null. */
  private Hit nearest(double x, double y) {
    Hit best = null;
    double bestD = CLICK_RADIUS;
    for (Map.Entry<String, Layer> e : layers.entrySet()) {
      if (!e.getValue().clickable) {
        continue;
      }
      List<Dot> dots = e.getValue().dots;
      for (int i = 0; i < dots.size(); i++) {
        Point2D p = canvasPoint(dots.get(i));
        if (p != null) {
          double d = p.distance(x, y);
          if (d <= bestD) {
            bestD = d;
            best = new Hit(e.getKey(), i);
          }
        }
      }
    }
    return best;
  }

  /** Where dot {@code index} of {@code layer} is drawn, in screen coordinates (null before the chart is drawn). */
  public Point2D screenPoint(String layer, int index) {
    Point2D p = canvasPoint(layers.get(layer).dots.get(index));
    return p == null ? null : viewer.getCanvas().localToScreen(p);
  }

  private Point2D canvasPoint(Dot d) {
    ChartRenderingInfo info = viewer.getCanvas().getRenderingInfo();
    if (info == null || info.getPlotInfo() == null) {
      return null;
    }
    Rectangle2D area = info.getPlotInfo().getDataArea();
    if (area == null || area.isEmpty()) {
      return null;
    }
    double px = plot.getDomainAxis().valueToJava2D(d.x(), area, plot.getDomainAxisEdge());
    double py = plot.getRangeAxis().valueToJava2D(d.y(), area, plot.getRangeAxisEdge());
    return new Point2D(px, py);
  }

  // ---- drawing ----------------------------------------------------------------------------------

  /**
   * Mutes the chart's change events until the next frame, which turns them on again: one redraw.
   * JFreeChart-FX redraws synchronously on every event, and showing a new map (its layers, axes,
   * legend and labels) sent about ten: a latent map's result held the FX thread 167 ms (101 ms of
   * CPU) in the long GUI session (docs/RELIABILITY.md section 5).
   */
  private void changing() {
    chart.setNotify(false); // fires nothing; setNotify(true) in the redraw fires one change
    if (!redrawScheduled) {
      redrawScheduled = true;
      FramePacer.FX.request(redrawTask);
    }
  }

  private void redraw() {
    redrawScheduled = false;
    chart.setNotify(true);
  }

  /** Whether a change waits for its redraw (for tests). */
  public boolean redrawPending() {
    return redrawScheduled;
  }

  private Layer layer(int series) {
    return layers.get((String) dataset.getSeriesKey(series));
  }

  /** Per-dot paint, shape per layer mark, lines only for paths, tooltips from the dots. */
  private final class Renderer extends XYLineAndShapeRenderer {
    private static final Shape DOT = new Ellipse2D.Double(-3.5, -3.5, 7, 7);
    private static final Shape SMALL = new Ellipse2D.Double(-2.5, -2.5, 5, 5);
    private static final Shape RING = new Ellipse2D.Double(-8, -8, 16, 16);
    private static final Shape CROSS = ShapeUtils.createDiagonalCross(3.5f, 0.7f);

    Renderer() {
      super(false, true);
      setDefaultToolTipGenerator((ds, series, item) -> {
        Layer l = layer(series);
        return l == null || item >= l.dots.size() ? null : l.dots.get(item).label();
      });
    }

    @Override
    public Paint getItemPaint(int series, int item) {
      Layer l = layer(series);
      return l == null || item >= l.dots.size() ? super.getItemPaint(series, item) : awt(l.dots.get(item).color());
    }

    @Override
    public Shape getItemShape(int series, int item) {
      Layer l = layer(series);
      if (l == null) {
        return DOT;
      }
      return switch (l.mark) {
        case DOT, PATH -> DOT;
        case SMALL_DOT -> SMALL;
        case CROSS -> CROSS;
        case RING -> RING;
      };
    }

    @Override
    public boolean getItemShapeFilled(int series, int item) {
      Layer l = layer(series);
      return l == null || l.mark != Mark.RING;
    }

    @Override
    public boolean getItemLineVisible(int series, int item) {
      Layer l = layer(series);
      return l != null && l.mark == Mark.PATH;
    }

    @Override
    public java.awt.Stroke getItemStroke(int series, int item) {
      Layer l = layer(series);
      return new BasicStroke(l != null && l.mark == Mark.RING ? 2.5f : 1.6f);
    }

    @Override
    public java.awt.Stroke getItemOutlineStroke(int series, int item) {
      return getItemStroke(series, item);
    }

    @Override
    public boolean getItemVisible(int series, int item) {
      return true;
    }
  }

  private static java.awt.Color awt(Color c) {
    return new java.awt.Color((float) c.getRed(), (float) c.getGreen(), (float) c.getBlue(), (float) c.getOpacity());
  }

  /** For tests: the layer names in drawing order. */
  List<String> layerNames() {
    return new ArrayList<>(layers.keySet());
  }
}
