package org.calmworkbench.app.gui.settings;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.scene.control.Label;
import javafx.scene.layout.VBox;
import org.controlsfx.control.PropertySheet;

/**
 * Settings as property sheets: one sheet per category, all open (ControlsFX's category mode shows
 * one at a time), settings in the backend's declared order, each a validating text field with id
 * {@code setting-KEY}. Every training page builds its sheet here.
 */
public final class SettingsSheet {
  private SettingsSheet() {}

  public static VBox build(List<SettingField> fields) {
    VBox sheets = new VBox(4);
    sheets.setId("settings");
    Map<String, ObservableList<PropertySheet.Item>> byCategory = new LinkedHashMap<>();
    fields.forEach(f -> byCategory.computeIfAbsent(f.category(), c -> FXCollections.observableArrayList())
        .add(new SettingItem(f)));
    byCategory.forEach((category, items) -> {
      Label heading = new Label(category);
      heading.getStyleClass().add("section-title");
      PropertySheet sheet = new PropertySheet(items);
      sheet.setMode(PropertySheet.Mode.NAME);
      sheet.setModeSwitcherVisible(false);
      sheet.setSearchBoxVisible(false);
      sheet.setPropertyEditorFactory(item -> new SettingEditor((SettingItem) item));
      sheets.getChildren().addAll(heading, sheet);
    });
    return sheets;
  }
}
