package org.calmworkbench.app.cli;

/**
 * The plain (non-option) arguments a command accepts after its name.
 *
 * @param synopsis shown in usage, e.g. {@code "[COMMAND...]"} or {@code "FILE"}
 * @param min fewest allowed
 * @param max most allowed ({@link Integer#MAX_VALUE} for no limit)
 */
public record Positionals(String synopsis, int min, int max) {
  public static final Positionals NONE = new Positionals("", 0, 0);

  public Positionals {
    if (min < 0 || max < min) {
      throw new IllegalArgumentException("need 0 <= min <= max, got " + min + ", " + max);
    }
  }
}
