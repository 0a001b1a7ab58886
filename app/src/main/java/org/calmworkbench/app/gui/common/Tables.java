package org.calmworkbench.app.gui.common;

import java.io.File;
import java.util.Locale;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.scene.Node;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.stage.FileChooser;

/**
 * Table columns and the save dialog that the table pages (Runs, Experiments) share. A number
 * column shows its value rounded but keeps the full number as cell data, so a CSV export of the
 * table ({@code visualizers.Exports.tableCsv}) gets every digit.
 */
public final class Tables {
  private Tables() {}

  public static <S> TableColumn<S, String> text(String name, Function<S, String> value, double width) {
    TableColumn<S, String> c = new TableColumn<>(name);
    c.setCellValueFactory(d -> new ReadOnlyObjectWrapper<>(value.apply(d.getValue())));
    fitName(c, width);
    return c;
  }

  /**
   * Never narrower than the column's name (a squeezed table scrolls sideways rather than cutting names
   * to "..."), else {@code width}.
   */
  private static void fitName(TableColumn<?, ?> c, double width) {
    double name = new javafx.scene.text.Text(c.getText()).getLayoutBounds().getWidth() + HEADER_PADDING;
    c.setMinWidth(name);
    c.setPrefWidth(Math.max(width, name));
  }

  /** Room around a column name in its header: the header's padding and the sort arrow. */
  private static final double HEADER_PADDING = 22;

  /** A number column: the cell shows it with {@code format} (blank when NaN or null); CSV export gets the full value. */
  public static <S> TableColumn<S, Double> number(String name, Function<S, Double> value, String format, double width) {
    TableColumn<S, Double> c = new TableColumn<>(name);
    c.setCellValueFactory(d -> new ReadOnlyObjectWrapper<>(value.apply(d.getValue())));
    c.setCellFactory(col -> new TableCell<>() {
      @Override
      protected void updateItem(Double item, boolean empty) {
        super.updateItem(item, empty);
        setText(empty || item == null || !Double.isFinite(item) ? null : String.format(Locale.ROOT, format, item));
      }
    });
    c.setStyle("-fx-alignment: CENTER-RIGHT;");
    fitName(c, width);
    return c;
  }

  /** Asks where to save a file of one type ({@code what}, {@code glob}), proposing {@code name}; null when cancelled. */
  public static File saveDialog(Node owner, String name, String what, String glob) {
    return saveDialog(owner, null, name, what, glob);
  }

  /** The same, starting in {@code folder} when it exists (null: the dialog's default). */
  public static File saveDialog(Node owner, java.nio.file.Path folder, String name, String what, String glob) {
    FileChooser f = new FileChooser();
    if (folder != null && java.nio.file.Files.isDirectory(folder)) {
      f.setInitialDirectory(folder.toFile());
    }
    f.getExtensionFilters().add(new FileChooser.ExtensionFilter(what, glob));
    f.setInitialFileName(name);
    return f.showSaveDialog(owner.getScene() == null ? null : owner.getScene().getWindow());
  }
}
