package org.calmworkbench.app.gui.settings;

import javafx.beans.value.ObservableValue;
import javafx.scene.control.TextField;
import org.calmworkbench.app.gui.common.Concepts;
import org.controlsfx.property.editor.AbstractPropertyEditor;

/** A text field for one setting: red while the text is not a valid value, the reason in its tooltip. */
final class SettingEditor extends AbstractPropertyEditor<String, TextField> {
  private static final String INVALID = "-fx-border-color: #b00020; -fx-border-width: 1.5; -fx-background-color: #fff1f1;";

  SettingEditor(SettingItem item) {
    super(item, new TextField());
    SettingField f = item.field();
    TextField t = getEditor();
    t.setId("setting-" + f.key());
    // Narrow by preference (values are short), so the setting's name beside it is not cut at 1280x800;
    // the sheet still stretches the field when there is room.
    t.setPrefColumnCount(6);
    t.setText(f.textProperty().get());
    Runnable style = () -> {
      boolean ok = f.isValid();
      t.setStyle(ok ? "" : INVALID);
      t.setTooltip(Concepts.tooltip(ok ? f.help() : f.errorProperty().get() + "\n\n" + f.help()));
    };
    f.errorProperty().addListener((o, a, b) -> style.run());
    style.run();
  }

  @Override
  protected ObservableValue<String> getObservableValue() {
    return getEditor().textProperty();
  }

  @Override
  public void setValue(String value) {
    if (!getEditor().getText().equals(value)) {
      getEditor().setText(value);
    }
  }
}
