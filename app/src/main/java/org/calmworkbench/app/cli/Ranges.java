package org.calmworkbench.app.cli;

/** Range checks of numeric options, with the message a person can act on. */
public final class Ranges {
  private Ranges() {}

  /**
   * {@code value} if it lies in {@code [min, max]} or is null (the option was not given); else a
   * {@link UsageException} such as {@code --steps must be at least 1, got 0}.
   *
   * @param option the option's name without dashes
   */
  public static Integer check(String option, Integer value, int min, int max) {
    if (value != null && (value < min || value > max)) {
      throw new UsageException("--" + option + " must be " + range(min, max) + ", got " + value);
    }
    return value;
  }

  /** {@code value} if it is at least {@code min} or null; else {@code --noise must be at least 0, got -1.0}. */
  public static Double atLeast(String option, Double value, double min) {
    if (value != null && !(value >= min)) {
      throw new UsageException("--" + option + " must be at least " + min + ", got " + value);
    }
    return value;
  }

  private static String range(int min, int max) {
    if (max == Integer.MAX_VALUE) {
      return "at least " + min;
    }
    if (min == Integer.MIN_VALUE) {
      return "at most " + max;
    }
    return "between " + min + " and " + max;
  }
}
