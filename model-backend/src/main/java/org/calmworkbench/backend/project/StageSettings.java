package org.calmworkbench.backend.project;

import com.google.gson.JsonElement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.config.Setting;
import org.calmworkbench.backend.config.Settings;

/**
 * The settings of one stage of a run ({@code tokenizer}, {@code autoencoder}, {@code lm}, {@code
 * ar}), resolved one way for the CLI and the GUI. Layers are applied in order and the most specific
 * wins:
 *
 * <pre>
 *   built-in preset  →  project.json: seed, validation_fraction, presets.STAGE  →  command line / GUI edits
 * </pre>
 *
 * <p>The result is what the workflows already take: a preset name and {@code key=value} overrides in
 * which a later assignment of a key wins ({@link Settings#parseOverrides}), plus the stage's
 * choices that are not numeric settings ({@code input_mode}, {@code head}, {@code vocab_size}).
 *
 * @param preset the named preset the stage starts from
 * @param sets {@code key=value} overrides, least specific first
 * @param choices the stage's other choices by key; absent when no layer set them
 */
public record StageSettings(String preset, List<String> sets, Map<String, String> choices) {

  public StageSettings {
    sets = List.copyOf(sets);
    choices = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(choices));
  }

  /** The first layer: a stage's built-in preset and nothing else. */
  public static StageSettings builtIn(String preset) {
    return new StageSettings(preset, List.of(), Map.of());
  }

  /**
   * This with the project's layer on top: its {@code validation_fraction} and {@code seed} (as
   * {@code validation_fraction}, {@code split_seed} and {@code seed}, where the stage has those
   * settings), then its {@code presets.STAGE}: {@code "preset"} names the preset, a key of {@code
   * choiceKeys} is a choice, any other key must be one of {@code settable}. Unchanged for a null
   * project.
   *
   * @throws CalmException naming project.json and the field for an unknown key or a bad value
   */
  public StageSettings withProject(Project project, String stage, List<Setting> settable, Set<String> choiceKeys) {
    if (project == null) {
      return this;
    }
    Map<String, Setting> byKey = Settings.index(settable);
    List<String> s = new ArrayList<>(sets);
    String where = project.file() + ": ";
    addIfSettable(s, byKey, "validation_fraction", project.validationFraction(), where + "'validation_fraction'");
    addIfSettable(s, byKey, "split_seed", project.seed(), where + "'seed'");
    addIfSettable(s, byKey, "seed", project.seed(), where + "'seed'");
    String p = preset;
    Map<String, String> c = new LinkedHashMap<>(choices);
    for (Map.Entry<String, JsonElement> e : project.preset(stage).entrySet()) {
      String key = e.getKey();
      String field = "presets." + stage + "." + key;
      JsonElement v = e.getValue();
      if (!v.isJsonPrimitive()) {
        throw new CalmException(where + "'" + field + "' must be a number or a string, got " + v);
      }
      String value = v.getAsString();
      if (key.equals("preset")) {
        p = value;
      } else if (choiceKeys.contains(key)) {
        c.put(key, value);
      } else if (byKey.containsKey(key)) {
        byKey.get(key).parse(value, where + "'" + field + "'"); // the message names the file and the field
        s.add(key + "=" + value);
      } else {
        List<String> valid = new ArrayList<>(List.of("preset"));
        valid.addAll(choiceKeys);
        valid.addAll(byKey.keySet());
        throw new CalmException(where + "'" + field + "' is not a setting of the " + stage + " stage; valid keys: "
            + String.join(", ", valid));
      }
    }
    return new StageSettings(p, s, c);
  }

  /**
   * This with the command line's (or the GUI's) settings on top.
   *
   * @param preset {@code --preset}, or null when not given
   * @param overrides {@code --set} values, appended so that they win
   */
  public StageSettings withCommandLine(String preset, List<String> overrides) {
    List<String> s = new ArrayList<>(sets);
    s.addAll(overrides);
    return new StageSettings(preset != null ? preset : this.preset, s, choices);
  }

  /** This with a choice made on the command line (or in the GUI); unchanged when {@code value} is null. */
  public StageSettings withChoice(String key, String value) {
    if (value == null) {
      return this;
    }
    Map<String, String> c = new LinkedHashMap<>(choices);
    c.put(key, value);
    return new StageSettings(preset, sets, c);
  }

  /** The overrides as values, checked against {@code settable}; a later assignment of a key wins. */
  public Map<String, Number> values(List<Setting> settable) {
    return Settings.parseOverrides(sets, settable);
  }

  /** A choice, or {@code fallback} when no layer made it. */
  public String choice(String key, String fallback) {
    return choices.getOrDefault(key, fallback);
  }

  private static void addIfSettable(List<String> sets, Map<String, Setting> byKey, String key, Number value, String where) {
    Setting setting = byKey.get(key);
    if (setting != null) {
      setting.check(value.doubleValue(), where);
      sets.add(key + "=" + (setting.type() == Setting.Type.INT ? Long.toString(value.longValue()) : value.toString()));
    }
  }
}
