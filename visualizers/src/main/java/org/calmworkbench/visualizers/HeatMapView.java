package org.calmworkbench.visualizers;

import java.util.Locale;
import java.util.function.IntFunction;
import javafx.geometry.VPos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Tooltip;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;
import javafx.util.Duration;

/**
 * A small heat map of a vector or matrix of floats on a {@link Canvas}: one cell per value,
 * coloured on a diverging scale (blue negative, white zero, red positive, saturating at the largest
 * |value|), with a colour key below and a tooltip naming the cell under the mouse and its value.
 *
 * <p>A vector of n values is laid out row by row in {@code columns} columns.
 */
public final class HeatMapView extends Region {
  private static final double KEY_HEIGHT = 26;

  private final Canvas canvas = new Canvas();
  private final Tooltip tooltip = new Tooltip();
  private float[] values = new float[0];
  private int columns = 1;
  private double maxAbs;
  private IntFunction<String> cellName = i -> "value " + i;
  private String emptyText = "no data";

  public HeatMapView() {
    getChildren().add(canvas);
    getStyleClass().add("heat-map");
    setMinSize(80, 60);
    setPrefSize(320, 160);
    tooltip.setShowDelay(Duration.millis(100));
    Tooltip.install(canvas, tooltip);
    canvas.addEventHandler(MouseEvent.MOUSE_MOVED, e -> {
      int i = cellAt(e.getX(), e.getY());
      tooltip.setText(i < 0 ? "" : cellName.apply(i) + ": " + String.format(Locale.ROOT, "%+.4f", values[i]));
    });
  }

  /** Shows {@code data} in rows of {@code columns} cells. */
  public void setData(float[] data, int columns) {
    if (columns < 1) {
      throw new IllegalArgumentException("columns must be >= 1, got " + columns);
    }
    this.values = data.clone();
    this.columns = columns;
    this.maxAbs = DivergingColorScale.maxAbs(values);
    draw();
  }

  /** Shows a matrix (rows of equal length). */
  public void setMatrix(float[][] m) {
    int cols = m.length == 0 ? 1 : m[0].length;
    float[] flat = new float[m.length * cols];
    for (int r = 0; r < m.length; r++) {
      if (m[r].length != cols) {
        throw new IllegalArgumentException("row " + r + " has " + m[r].length + " values, row 0 has " + cols);
      }
      System.arraycopy(m[r], 0, flat, r * cols, cols);
    }
    setData(flat, Math.max(1, cols));
  }

  /** Clears the map and shows {@code message} instead. */
  public void clear(String message) {
    this.values = new float[0];
    this.emptyText = message;
    draw();
  }

  /** How the tooltip names cell {@code i} (default "value i"), e.g. {@code i -> "latent dim " + i}. */
  public void setCellName(IntFunction<String> name) {
    this.cellName = name;
  }

  public float[] data() {
    return values.clone();
  }

  /** Index of the cell at canvas point (x, y), or -1. */
  public int cellAt(double x, double y) {
    if (values.length == 0) {
      return -1;
    }
    int rows = rows();
    double cw = canvas.getWidth() / columns;
    double ch = (canvas.getHeight() - KEY_HEIGHT) / rows;
    if (x < 0 || y < 0 || cw <= 0 || ch <= 0) {
      return -1;
    }
    int c = (int) (x / cw);
    int r = (int) (y / ch);
    int i = r * columns + c;
    return c < columns && r < rows && i < values.length ? i : -1;
  }

  private int rows() {
    return (values.length + columns - 1) / columns;
  }

  @Override
  protected void layoutChildren() {
    double w = snapSizeX(getWidth() - snappedLeftInset() - snappedRightInset());
    double h = snapSizeY(getHeight() - snappedTopInset() - snappedBottomInset());
    canvas.relocate(snappedLeftInset(), snappedTopInset());
    if (canvas.getWidth() != w || canvas.getHeight() != h) {
      canvas.setWidth(Math.max(0, w));
      canvas.setHeight(Math.max(0, h));
      draw();
    }
  }

  private void draw() {
    GraphicsContext g = canvas.getGraphicsContext2D();
    double w = canvas.getWidth();
    double h = canvas.getHeight();
    g.clearRect(0, 0, w, h);
    g.setFont(Font.font(11));
    if (values.length == 0) {
      g.setFill(Color.GRAY);
      g.setTextAlign(TextAlignment.CENTER);
      g.setTextBaseline(VPos.CENTER);
      g.fillText(emptyText, w / 2, h / 2);
      return;
    }
    int rows = rows();
    double cw = w / columns;
    double ch = (h - KEY_HEIGHT) / rows;
    for (int i = 0; i < values.length; i++) {
      g.setFill(DivergingColorScale.color(values[i], maxAbs));
      g.fillRect((i % columns) * cw, (i / columns) * ch, Math.ceil(cw), Math.ceil(ch));
    }
    if (cw >= 4 && ch >= 4) { // thin grid lines separate equal neighbours
      g.setStroke(Color.rgb(255, 255, 255, 0.7));
      g.setLineWidth(1);
      for (int c = 1; c < columns; c++) {
        g.strokeLine(c * cw, 0, c * cw, rows * ch);
      }
      for (int r = 1; r < rows; r++) {
        g.strokeLine(0, r * ch, w, r * ch);
      }
    }
    // Colour key: -max ... 0 ... +max.
    double y = h - KEY_HEIGHT + 6;
    double keyW = Math.min(w, 240);
    double x0 = (w - keyW) / 2;
    for (int i = 0; i < keyW; i++) {
      g.setFill(DivergingColorScale.color((2.0 * i / keyW - 1) * maxAbs, maxAbs));
      g.fillRect(x0 + i, y, 1.5, 7);
    }
    g.setFill(Color.DIMGRAY);
    g.setTextBaseline(VPos.TOP);
    g.setTextAlign(TextAlignment.LEFT);
    g.fillText(String.format(Locale.ROOT, "%+.2f", -maxAbs), Math.max(0, x0 - 2), y + 8);
    g.setTextAlign(TextAlignment.CENTER);
    g.fillText("0", w / 2, y + 8);
    g.setTextAlign(TextAlignment.RIGHT);
    g.fillText(String.format(Locale.ROOT, "%+.2f", maxAbs), Math.min(w, x0 + keyW + 2), y + 8);
  }
}
