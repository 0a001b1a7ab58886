package org.calmworkbench.backend.config;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calmworkbench.backend.CalmException;

/** Helpers shared by config records: apply {@code key=value} overrides and read JSON fields. */
public final class Settings {
  private Settings() {}

  /**
   * Parses {@code key=value} strings against {@code specs}. An unknown key is an error that lists
   * the valid keys, so a typo never silently does nothing.
   */
  public static Map<String, Number> parseOverrides(List<String> assignments, List<Setting> specs) {
    Map<String, Setting> byKey = index(specs);
    Map<String, Number> out = new LinkedHashMap<>();
    for (String a : assignments) {
      int eq = a.indexOf('=');
      if (eq <= 0) {
        throw new CalmException("--set expects key=value, got '" + a + "'");
      }
      String key = a.substring(0, eq).trim();
      Setting s = byKey.get(key);
      if (s == null) {
        throw new CalmException("--set: unknown key '" + key + "'; valid keys: " + String.join(", ", byKey.keySet()));
      }
      out.put(key, s.parse(a.substring(eq + 1), "--set"));
    }
    return out;
  }

  /** Reads and range-checks the fields in {@code specs} present in {@code json}. */
  public static Map<String, Number> readJson(JsonObject json, List<Setting> specs, String where) {
    Map<String, Number> out = new LinkedHashMap<>();
    for (Setting s : specs) {
      JsonElement e = json.get(s.key());
      if (e == null || e.isJsonNull()) {
        continue;
      }
      if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
        throw new CalmException(where + ": " + s.key() + " must be a number, got " + e);
      }
      out.put(s.key(), s.check(e.getAsDouble(), where));
    }
    return out;
  }

  /** The keys of {@code specs} missing from {@code values}. */
  public static List<String> missing(Map<String, Number> values, List<Setting> specs) {
    List<String> out = new ArrayList<>();
    for (Setting s : specs) {
      if (!values.containsKey(s.key())) {
        out.add(s.key());
      }
    }
    return out;
  }

  public static JsonObject toJson(Map<String, Number> values) {
    JsonObject o = new JsonObject();
    values.forEach((k, v) -> o.add(k, new JsonPrimitive(v)));
    return o;
  }

  public static Map<String, Setting> index(List<Setting> specs) {
    Map<String, Setting> m = new LinkedHashMap<>();
    for (Setting s : specs) {
      m.put(s.key(), s);
    }
    return m;
  }
}
