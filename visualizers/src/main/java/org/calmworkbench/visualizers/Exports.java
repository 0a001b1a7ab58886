package org.calmworkbench.visualizers;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import org.calmworkbench.csv.Csv;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;

/**
 * Export of charts (PNG) and tables (CSV). Every file is written to a temporary file in the target
 * folder and then renamed over the target, so a failed or interrupted export never leaves half a
 * file where a good one was (the same scheme as the backend's AtomicFiles, which this module cannot
 * depend on).
 */
public final class Exports {
  private Exports() {}

  /** Writes a file's whole content to a stream. */
  @FunctionalInterface
  public interface Content {
    void write(OutputStream out) throws IOException;
  }

  /** Writes a chosen file. */
  @FunctionalInterface
  public interface FileAction {
    void write(Path file) throws IOException;
  }

  /**
   * A save dialog over {@code owner}'s window for one kind of file ({@code what}, e.g. "PNG image",
   * with {@code extension} ".png"), proposing {@code stem(title) + extension}; writes the chosen file
   * with {@code action}, or does nothing when the dialog is cancelled. A failed write is thrown as
   * an UncheckedIOException naming the file, for the app's error handler to show.
   */
  public static void saveAs(javafx.scene.Node owner, String what, String extension, String title, FileAction action) {
    javafx.stage.FileChooser chooser = new javafx.stage.FileChooser();
    chooser.getExtensionFilters().add(new javafx.stage.FileChooser.ExtensionFilter(what, "*" + extension));
    chooser.setInitialFileName(stem(title) + extension);
    java.io.File f = chooser.showSaveDialog(owner.getScene() == null ? null : owner.getScene().getWindow());
    if (f == null) {
      return;
    }
    try {
      action.write(f.toPath());
    } catch (IOException ex) {
      throw new java.io.UncheckedIOException("could not save " + f + ": " + ex.getMessage(), ex);
    }
  }

  /** A file name stem from a chart title: lower case, runs of other characters as "-"; "chart" if nothing is left. */
  public static String stem(String title) {
    String s = title == null ? "" : title.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-")
        .replaceAll("(^-|-$)", "");
    return s.isEmpty() ? "chart" : s;
  }

  /** Writes {@code target} through a temp file in its folder and an (atomic where possible) rename. */
  public static void write(Path target, Content content) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
    try {
      try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp))) {
        content.write(out);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  public static void writeString(Path target, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    write(target, out -> out.write(bytes));
  }

  /** {@code chart} as a PNG of the given size (independent of its size on screen). */
  public static void writePng(JFreeChart chart, Path target, int width, int height) throws IOException {
    write(target, out -> ChartUtils.writeChartAsPNG(out, chart, width, height));
  }

  /**
   * Any table as CSV: its visible leaf columns' headers, then each item's cell values as the
   * columns' cell value factories give them (a number column exports the full number, not the
   * rounded text a cell shows).
   */
  public static <S> String tableCsv(TableView<S> table) {
    List<TableColumn<S, ?>> columns = new ArrayList<>();
    for (TableColumn<S, ?> c : table.getVisibleLeafColumns()) {
      columns.add(c);
    }
    List<String> header = columns.stream().map(TableColumn::getText).toList();
    List<List<?>> rows = new ArrayList<>();
    for (int i = 0; i < table.getItems().size(); i++) {
      List<Object> row = new ArrayList<>();
      for (TableColumn<S, ?> c : columns) {
        row.add(c.getCellData(i));
      }
      rows.add(row);
    }
    return Csv.table(header, rows);
  }

  public static <S> void writeTableCsv(TableView<S> table, Path target) throws IOException {
    writeString(target, tableCsv(table));
  }
}
