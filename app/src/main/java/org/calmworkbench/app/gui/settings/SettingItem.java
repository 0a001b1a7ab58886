package org.calmworkbench.app.gui.settings;

import java.util.Optional;
import javafx.beans.value.ObservableValue;
import org.controlsfx.control.PropertySheet;

/** A {@link SettingField} as a ControlsFX property-sheet row: edited as text, validated by the field. */
final class SettingItem implements PropertySheet.Item {
  private final SettingField field;

  SettingItem(SettingField field) {
    this.field = field;
  }

  SettingField field() {
    return field;
  }

  @Override
  public Class<?> getType() {
    return String.class;
  }

  @Override
  public String getCategory() {
    return field.category();
  }

  @Override
  public String getName() {
    return field.key();
  }

  @Override
  public String getDescription() {
    return field.help();
  }

  @Override
  public Object getValue() {
    return field.textProperty().get();
  }

  @Override
  public void setValue(Object value) {
    field.textProperty().set(value == null ? "" : value.toString());
  }

  @Override
  public Optional<ObservableValue<? extends Object>> getObservableValue() {
    return Optional.of(field.textProperty());
  }
}
