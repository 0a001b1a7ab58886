package org.calmworkbench.app.gui.common;

import javafx.beans.value.ObservableValue;
import javafx.scene.control.Label;
import javafx.scene.layout.Region;

/** Message labels the pages share: a validation message or a note that takes no room while empty. */
public final class Messages {
  private Messages() {}

  /**
   * A wrapping label with id {@code id} and style class {@code styleClass} (e.g. {@code
   * validation-message}) showing {@code text}; hidden, and out of the layout, while the text is empty.
   */
  public static Label whenNotEmpty(String id, String styleClass, ObservableValue<String> text) {
    Label l = new Label();
    l.setId(id);
    l.getStyleClass().add(styleClass);
    l.setWrapText(true);
    l.setMinHeight(Region.USE_PREF_SIZE);
    l.textProperty().bind(text);
    l.managedProperty().bind(l.textProperty().isNotEmpty());
    l.visibleProperty().bind(l.textProperty().isNotEmpty());
    return l;
  }
}
