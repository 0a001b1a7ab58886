package org.calmworkbench.app.gui.settings;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.config.Setting;
import org.calmworkbench.backend.project.StageSettings;
import org.calmworkbench.backend.train.TrainConfig;

/**
 * The view model of one settings sheet ({@link SettingsSheet} is its view), shared by the training
 * pages: the fields in order and by key, their values, the {@code key=value} list a run is asked
 * for, and one validation, re-run whenever a field's text changes:
 *
 * <ol>
 *   <li>each field's own error (the backend's {@link Setting} parser, as {@code --set} parses);
 *   <li>the page's problems outside the fields ({@link Checks#outside}: no checkpoint chosen);
 *   <li>when those pass, the checks that span fields: the page's ({@link Checks#values}, a model
 *       config built from the values) and the budget ({@link TrainConfig#checkBudget}).
 * </ol>
 */
public final class SettingsForm {
  /** A page's own checks; a {@link CalmException}'s message becomes one problem line. */
  public interface Checks {
    /** Problems that do not depend on the fields' values, listed after the fields' errors. */
    default List<String> outside() {
      return List.of();
    }

    /** The checks that span fields, run only when every field parses and {@link #outside} is empty. */
    void values(Map<String, Number> values);
  }

  private final List<SettingField> fields = new ArrayList<>();
  private final Map<String, SettingField> byKey = new LinkedHashMap<>();
  private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper(this, "validationMessage", "");
  private final ReadOnlyBooleanWrapper valid = new ReadOnlyBooleanWrapper(this, "valid", false);
  private final Checks checks;
  private boolean filling; // while several fields are set at once: validate once at the end

  public SettingsForm(Checks checks) {
    this.checks = checks;
  }

  /** Adds {@code f} at the end of the sheet. */
  public void add(SettingField f) {
    if (byKey.putIfAbsent(f.key(), f) != null) {
      throw new IllegalArgumentException("two fields for " + f.key());
    }
    fields.add(f);
    f.textProperty().addListener((o, a, b) -> {
      if (!filling) {
        validate();
      }
    });
  }

  /** Every field, in the order added. */
  public List<SettingField> fields() {
    return Collections.unmodifiableList(fields);
  }

  public SettingField field(String key) {
    SettingField f = byKey.get(key);
    if (f == null) {
      throw new IllegalArgumentException("no setting " + key);
    }
    return f;
  }

  /**
   * Shows {@code values} in the fields of those keys (keys without a field are passed over), then
   * validates once. A preset's sections and a project's layer are filled this way, later ones on top.
   */
  public void fill(Map<String, ? extends Number> values) {
    filling = true;
    try {
      values.forEach((k, v) -> {
        SettingField f = byKey.get(k);
        if (f != null) {
          f.set(v);
        }
      });
    } finally {
      filling = false;
    }
    validate();
  }

  /** Shows every value {@code layer} (built-in preset → project.json) assigns to one of {@code settable}. */
  public void fill(StageSettings layer, List<Setting> settable) {
    fill(layer.values(settable));
  }

  /** The parsed value of every field, by key; only call when {@link #validProperty} is true. */
  public Map<String, Number> values() {
    Map<String, Number> values = new LinkedHashMap<>();
    for (SettingField f : fields) {
      values.put(f.key(), f.value());
    }
    return values;
  }

  /** {@code key=text} for the fields {@code include} accepts, in sheet order, as {@code --set} takes them. */
  public List<String> sets(Predicate<SettingField> include) {
    return sets(include, Map.of());
  }

  /**
   * {@code key=text} for the fields whose key is one of {@code accepted}'s, in sheet order, with
   * {@code replace}'s text instead of the field's for its keys.
   */
  public List<String> sets(List<Setting> accepted, Map<String, String> replace) {
    Set<String> keys = Set.copyOf(accepted.stream().map(Setting::key).toList());
    return sets(f -> keys.contains(f.key()), replace);
  }

  private List<String> sets(Predicate<SettingField> include, Map<String, String> replace) {
    List<String> out = new ArrayList<>();
    for (SettingField f : fields) {
      if (include.test(f)) {
        out.add(f.key() + "=" + replace.getOrDefault(f.key(), f.textProperty().get().strip()));
      }
    }
    return out;
  }

  /** Empty when every setting is valid; otherwise what is wrong, one problem per line. */
  public ReadOnlyStringProperty validationMessageProperty() {
    return message.getReadOnlyProperty();
  }

  public ReadOnlyBooleanProperty validProperty() {
    return valid.getReadOnlyProperty();
  }

  public boolean isValid() {
    return valid.get();
  }

  /** Re-runs the validation (the page calls it when something outside the fields changed). */
  public void validate() {
    List<String> problems = new ArrayList<>();
    for (SettingField f : fields) {
      if (!f.isValid()) {
        problems.add(f.errorProperty().get());
      }
    }
    problems.addAll(checks.outside());
    if (problems.isEmpty()) {
      Map<String, Number> values = values();
      try {
        checks.values(values);
      } catch (CalmException e) {
        problems.add(e.getMessage());
      }
      if (values.containsKey("steps") && values.containsKey("time_limit")) {
        try {
          TrainConfig.checkBudget(values.get("steps"), values.get("time_limit"));
        } catch (CalmException e) {
          problems.add(e.getMessage());
        }
      }
    }
    message.set(String.join("\n", problems));
    valid.set(problems.isEmpty());
  }
}
