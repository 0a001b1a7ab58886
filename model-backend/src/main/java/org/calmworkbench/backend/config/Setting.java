package org.calmworkbench.backend.config;

import org.calmworkbench.backend.CalmException;

/**
 * One named, typed, range-checked setting with a one-sentence explanation. Config records declare
 * their settings once; the CLI's {@code --set key=value}, config.json files and the GUI's property
 * sheet all validate through the same spec.
 */
public record Setting(String key, Type type, double min, double max, String description) {
  public enum Type {
    INT,
    DOUBLE
  }

  public static Setting intSetting(String key, long min, long max, String description) {
    return new Setting(key, Type.INT, min, max, description);
  }

  public static Setting doubleSetting(String key, double min, double max, String description) {
    return new Setting(key, Type.DOUBLE, min, max, description);
  }

  /** Parses and range-checks {@code raw}; {@code where} names the source (file, "--set"). */
  public Number parse(String raw, String where) {
    double v;
    try {
      v = type == Type.INT ? Long.parseLong(raw.trim()) : Double.parseDouble(raw.trim());
    } catch (NumberFormatException e) {
      throw new CalmException(
          where + ": " + key + " expects " + (type == Type.INT ? "an integer" : "a number") + ", got '" + raw + "'");
    }
    return check(v, where);
  }

  /** Range-checks a value already parsed (e.g. from JSON). */
  public Number check(double v, String where) {
    if (Double.isNaN(v) || v < min || v > max) {
      throw new CalmException(where + ": " + key + " = " + format(v) + " is out of range " + range());
    }
    if (type == Type.INT) {
      if (v != Math.rint(v)) {
        throw new CalmException(where + ": " + key + " expects an integer, got " + v);
      }
      return (long) v;
    }
    return v;
  }

  public String range() {
    return "[" + format(min) + ", " + format(max) + "]";
  }

  private String format(double v) {
    if (type == Type.INT || v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }
}
