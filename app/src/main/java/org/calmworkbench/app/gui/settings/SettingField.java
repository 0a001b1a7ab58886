package org.calmworkbench.app.gui.settings;

import java.util.Locale;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.config.Setting;

/**
 * One editable setting: the backend's {@link Setting} spec (key, type, range, sentence), the text
 * a person typed, and the error that text has (empty when valid). Validation is the backend's own,
 * so the sheet accepts exactly what {@code --set key=value} accepts.
 */
public final class SettingField {
  private final Setting setting;
  private final String category;
  private final StringProperty text = new SimpleStringProperty(this, "text", "");
  private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper(this, "error", "");

  public SettingField(Setting setting, String category) {
    this.setting = setting;
    this.category = category;
    text.addListener((o, a, b) -> error.set(check(b)));
    error.set(check(text.get())); // empty: invalid until a value is set
  }

  public Setting setting() {
    return setting;
  }

  public String key() {
    return setting.key();
  }

  public String category() {
    return category;
  }

  public StringProperty textProperty() {
    return text;
  }

  public ReadOnlyStringProperty errorProperty() {
    return error.getReadOnlyProperty();
  }

  public boolean isValid() {
    return error.get().isEmpty();
  }

  /** The description and the allowed range, for the tooltip. */
  public String help() {
    return setting.description() + " Allowed: " + (setting.type() == Setting.Type.INT ? "an integer" : "a number")
        + " in " + setting.range() + ".";
  }

  /** The parsed value; only call when valid. */
  public Number value() {
    return setting.parse(text.get(), "settings");
  }

  /** Shows {@code v} the way a person would type it. */
  public void set(Number v) {
    text.set(format(setting, v));
  }

  static String format(Setting s, Number v) {
    if (s.type() == Setting.Type.INT) {
      return Long.toString(v.longValue());
    }
    double d = v.doubleValue();
    if (d != 0 && (Math.abs(d) < 1e-3 || Math.abs(d) >= 1e7)) {
      return String.format(Locale.ROOT, "%.3g", d).replaceAll("\\.?0+e", "e");
    }
    String plain = Double.toString(d);
    return plain.endsWith(".0") ? plain.substring(0, plain.length() - 2) : plain;
  }

  private String check(String raw) {
    if (raw == null || raw.isBlank()) {
      return setting.key() + " is empty";
    }
    try {
      setting.parse(raw, "settings");
      return "";
    } catch (CalmException e) {
      String m = e.getMessage();
      return m.startsWith("settings: ") ? m.substring("settings: ".length()) : m;
    }
  }
}
