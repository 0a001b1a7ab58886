package org.calmworkbench.app.cli;

import java.util.regex.Pattern;

/**
 * One {@code --option} a command accepts.
 *
 * <ul>
 *   <li>{@link Kind#FLAG}: no value ({@code --resume}); {@code --resume=false} is also accepted.
 *   <li>{@link Kind#VALUE}: one value ({@code --steps 100} or {@code --steps=100}); at most once.
 *   <li>{@link Kind#LIST}: one or more values up to the next {@code --option} ({@code --corpus a b c});
 *       may be repeated ({@code --set a=1 --set b=2}) and the values add up.
 * </ul>
 *
 * @param name without the dashes, lower case with '-' between words ({@code "vocab-size"})
 * @param valueName shown in usage ({@code "N"}, {@code "DIR"}, {@code "KEY=VALUE"}); empty for flags
 * @param defaultValue used by {@link Args} getters when the option is absent; null for none
 * @param isRequired whether parsing fails without it ({@link #required()} makes one)
 */
public record Option(String name, Kind kind, String valueName, String help, String defaultValue, boolean isRequired) {

  public enum Kind { FLAG, VALUE, LIST }

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");

  public Option {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("option name must be lower case words joined by '-', got '" + name + "'");
    }
    if (kind == Kind.FLAG && (isRequired || defaultValue != null)) {
      throw new IllegalArgumentException("--" + name + ": a flag cannot be required or have a default");
    }
    if (isRequired && defaultValue != null) {
      throw new IllegalArgumentException("--" + name + ": a required option has no default");
    }
  }

  public static Option flag(String name, String help) {
    return new Option(name, Kind.FLAG, "", help, null, false);
  }

  public static Option value(String name, String valueName, String help) {
    return new Option(name, Kind.VALUE, valueName, help, null, false);
  }

  public static Option list(String name, String valueName, String help) {
    return new Option(name, Kind.LIST, valueName, help, null, false);
  }

  /** This option with a default, shown in usage and returned by getters when absent. */
  public Option withDefault(Object value) {
    return new Option(name, kind, valueName, help, String.valueOf(value), false);
  }

  /** This option, which must be given. */
  public Option required() {
    return new Option(name, kind, valueName, help, null, true);
  }

  /** {@code --name VALUE} as shown in usage lines. */
  public String synopsis() {
    return switch (kind) {
      case FLAG -> "--" + name;
      case VALUE -> "--" + name + " " + valueName;
      case LIST -> "--" + name + " " + valueName + "...";
    };
  }
}
