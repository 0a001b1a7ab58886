package org.calmworkbench.app.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The parsed arguments of one command: options by name and positional arguments.
 *
 * <p>Syntax: {@code --key value}, {@code --key=value}, flags ({@code --json}), list options that
 * take values up to the next {@code --option} ({@code --corpus a b c}) and may repeat ({@code --set
 * a=1 --set b=2}); anything else is positional; after {@code --} everything is positional. A value
 * that starts with {@code --} must be written {@code --key=--value}.
 *
 * <p>Getters take the option name without dashes. Asking for an option the command did not declare
 * is a programming error ({@link IllegalArgumentException}); a missing or malformed value is a
 * {@link UsageException} with a message such as {@code --steps expects an integer, got 'abc'}.
 */
public final class Args {
  private final String command;
  private final Map<String, Option> declared;
  private final Map<String, List<String>> values;
  private final List<String> positionals;

  private Args(String command, Map<String, Option> declared, Map<String, List<String>> values, List<String> positionals) {
    this.command = command;
    this.declared = declared;
    this.values = values;
    this.positionals = List.copyOf(positionals);
  }

  /** Parses {@code tokens} (what follows the command's name) against the command's declarations. */
  public static Args parse(Command command, List<String> tokens) {
    Map<String, Option> declared = new LinkedHashMap<>();
    for (Option o : command.options()) {
      declared.put(o.name(), o);
    }
    for (Option o : Usage.GLOBAL_OPTIONS) {
      declared.putIfAbsent(o.name(), o);
    }
    Map<String, List<String>> values = new LinkedHashMap<>();
    List<String> positionals = new ArrayList<>();
    int i = 0;
    while (i < tokens.size()) {
      String t = tokens.get(i++);
      if (t.equals("--")) {
        positionals.addAll(tokens.subList(i, tokens.size()));
        break;
      }
      if (t.equals("-h")) {
        t = "--help";
      }
      if (!isOption(t)) {
        if (t.startsWith("-") && t.length() > 1 && !isNumber(t)) {
          throw new UsageException("unknown option '" + t + "' (options start with --); " + validOptions(command));
        }
        positionals.add(t);
        continue;
      }
      int eq = t.indexOf('=');
      String name = t.substring(2, eq < 0 ? t.length() : eq);
      String inline = eq < 0 ? null : t.substring(eq + 1);
      Option o = declared.get(name);
      if (o == null) {
        throw new UsageException("unknown option --" + name + " for '" + command.name() + "'" + suggestion(name, declared)
            + "; " + validOptions(command));
      }
      List<String> list = values.computeIfAbsent(name, k -> new ArrayList<>());
      switch (o.kind()) {
        case FLAG -> {
          if (inline != null && !inline.equals("true") && !inline.equals("false")) {
            throw new UsageException("--" + name + " is a flag; it takes no value (or =true / =false), got '" + inline + "'");
          }
          list.clear();
          list.add(inline == null ? "true" : inline);
        }
        case VALUE -> {
          if (!list.isEmpty()) {
            throw new UsageException("--" + name + " given more than once");
          }
          if (inline != null) {
            list.add(inline);
          } else if (i < tokens.size() && !isOption(tokens.get(i)) && !tokens.get(i).equals("--")) {
            list.add(tokens.get(i++));
          } else {
            throw new UsageException("--" + name + " expects a value: " + o.synopsis());
          }
        }
        case LIST -> {
          int before = list.size();
          if (inline != null) {
            list.add(inline);
          }
          while (i < tokens.size() && !isOption(tokens.get(i)) && !tokens.get(i).equals("--")) {
            list.add(tokens.get(i++));
          }
          if (list.size() == before) {
            throw new UsageException("--" + name + " expects at least one value: " + o.synopsis());
          }
        }
      }
    }
    for (Option o : command.options()) {
      if (o.isRequired() && !values.containsKey(o.name())) {
        throw new UsageException("missing required option " + o.synopsis());
      }
    }
    Positionals p = command.positionals();
    if (positionals.size() > p.max()) {
      String extra = positionals.get(p.max());
      throw new UsageException(p.max() == 0
          ? "unexpected argument '" + extra + "' ('" + command.name() + "' takes only --options)"
          : "too many arguments: '" + extra + "' (usage: calm " + command.name() + " " + p.synopsis() + ")");
    }
    if (positionals.size() < p.min()) {
      throw new UsageException("missing argument: calm " + command.name() + " " + p.synopsis());
    }
    return new Args(command.name(), declared, values, positionals);
  }

  // -- getters --------------------------------------------------------------------------------

  /** Whether the option was given on the command line (defaults do not count). */
  public boolean has(String name) {
    option(name);
    return values.containsKey(name);
  }

  /** True if the flag was given (and not {@code =false}). */
  public boolean flag(String name) {
    Option o = option(name);
    if (o.kind() != Option.Kind.FLAG) {
      throw new IllegalArgumentException("--" + name + " is not a flag");
    }
    List<String> v = values.get(name);
    return v != null && v.get(0).equals("true");
  }

  /** The value, else the declared default, else empty. */
  public Optional<String> optional(String name) {
    Option o = option(name);
    if (o.kind() == Option.Kind.FLAG) {
      throw new IllegalArgumentException("--" + name + " is a flag; use flag()");
    }
    List<String> v = values.get(name);
    if (v != null) {
      return Optional.of(v.get(v.size() - 1));
    }
    return Optional.ofNullable(o.defaultValue());
  }

  /** The value or default; a {@link UsageException} if there is neither. */
  public String string(String name) {
    return optional(name).orElseThrow(() -> new UsageException("missing option " + option(name).synopsis()));
  }

  public int integer(String name) {
    return (int) parseLong(name, string(name), Integer.MIN_VALUE, Integer.MAX_VALUE, "an integer");
  }

  /** An integer in {@code [min, max]}; outside is a {@link UsageException} naming the range. */
  public int integer(String name, int min, int max) {
    int v = integer(name);
    if (v < min || v > max) {
      throw new UsageException("--" + name + " must be " + range(min, max) + ", got " + v);
    }
    return v;
  }

  public long longValue(String name) {
    return parseLong(name, string(name), Long.MIN_VALUE, Long.MAX_VALUE, "an integer");
  }

  public double number(String name) {
    String s = string(name);
    try {
      double d = Double.parseDouble(s.strip());
      if (Double.isFinite(d)) {
        return d;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new UsageException("--" + name + " expects a number, got '" + s + "'");
  }

  public Path path(String name) {
    return toPath(name, string(name));
  }

  /** All values of a list option (or the one value of a value option); empty if absent and no default. */
  public List<String> list(String name) {
    Option o = option(name);
    List<String> v = values.get(name);
    if (v != null) {
      return Collections.unmodifiableList(v);
    }
    return o.defaultValue() == null ? List.of() : List.of(o.defaultValue());
  }

  public List<Path> paths(String name) {
    List<Path> out = new ArrayList<>();
    for (String s : list(name)) {
      out.add(toPath(name, s));
    }
    return out;
  }

  /** {@code KEY=VALUE} values of a list option ({@code --set a=1 b=2}), in order; a later key wins. */
  public Map<String, String> keyValues(String name) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String s : list(name)) {
      int eq = s.indexOf('=');
      if (eq <= 0) {
        throw new UsageException("--" + name + " expects KEY=VALUE, got '" + s + "'");
      }
      out.put(s.substring(0, eq).strip(), s.substring(eq + 1).strip());
    }
    return out;
  }

  public List<String> positionals() {
    return positionals;
  }

  public String command() {
    return command;
  }

  // -- helpers --------------------------------------------------------------------------------

  private Option option(String name) {
    Option o = declared.get(name);
    if (o == null) {
      throw new IllegalArgumentException("'" + command + "' does not declare --" + name);
    }
    return o;
  }

  private static long parseLong(String name, String s, long min, long max, String what) {
    try {
      long v = Long.parseLong(s.strip().replace("_", ""));
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new UsageException("--" + name + " expects " + what + ", got '" + s + "'");
  }

  private static Path toPath(String name, String s) {
    try {
      return Path.of(s);
    } catch (InvalidPathException e) {
      throw new UsageException("--" + name + " expects a path, got '" + s + "': " + e.getReason());
    }
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

  private static boolean isOption(String t) {
    return t.startsWith("--") && t.length() > 2;
  }

  private static boolean isNumber(String t) {
    try {
      Double.parseDouble(t);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static String validOptions(Command command) {
    StringBuilder b = new StringBuilder();
    for (Option o : command.options()) {
      b.append(b.length() == 0 ? "" : ", ").append("--").append(o.name());
    }
    String own = b.length() == 0 ? "'" + command.name() + "' has no options of its own" : "valid options: " + b;
    return own + " (and --json, --verbose, --device, --help)";
  }

  /** {@code " (did you mean --steps?)"} for a near miss, else empty. */
  private static String suggestion(String name, Map<String, Option> declared) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : declared.keySet()) {
      int d = editDistance(name, candidate);
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    return best != null && bestDistance <= Math.max(1, name.length() / 3) ? " (did you mean --" + best + "?)" : "";
  }

  /** Edits (insert, delete, substitute, swap two neighbours) from {@code a} to {@code b}: "stpes" is 1 from "steps". */
  static int editDistance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j], d[i][j - 1]) + 1);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
