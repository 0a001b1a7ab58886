package org.calmworkbench.app.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The commands the CLI knows, looked up by their words ({@code "ae train"}). */
public final class CommandRegistry {
  private final Map<String, Command> byName = new LinkedHashMap<>();

  /** A command and how many leading words of the argument list named it. */
  public record Match(Command command, int words) {}

  public CommandRegistry(List<Command> commands) {
    for (Command c : commands) {
      String name = c.name();
      if (!name.matches("[a-z0-9-]+( [a-z0-9-]+)*")) {
        throw new IllegalArgumentException("command name must be lower-case words separated by one space: '" + name + "'");
      }
      if (byName.put(name, c) != null) {
        throw new IllegalArgumentException("two commands named '" + name + "'");
      }
      List<String> seen = new ArrayList<>();
      for (Option o : c.options()) {
        if (seen.contains(o.name()) || Usage.GLOBAL_OPTIONS.stream().anyMatch(g -> g.name().equals(o.name()))) {
          throw new IllegalArgumentException("'" + name + "' declares --" + o.name() + " twice or shadows a global option");
        }
        seen.add(o.name());
      }
    }
  }

  /** Commands in registration order. */
  public List<Command> commands() {
    return List.copyOf(byName.values());
  }

  /** Commands whose name starts with {@code group + " "}: the subcommands of {@code "ae"}. */
  public List<Command> group(String group) {
    return byName.values().stream().filter(c -> c.name().startsWith(group + " ")).toList();
  }

  /**
   * The command named by the longest run of leading words of {@code args}. An unknown word, or a
   * group word without its subcommand ({@code calm ae}), is a {@link UsageException} that lists
   * what exists.
   */
  public Match resolve(List<String> args) {
    List<String> words = new ArrayList<>();
    for (String a : args) {
      if (a.startsWith("-")) {
        break;
      }
      words.add(a);
    }
    for (int n = words.size(); n > 0; n--) {
      Command c = byName.get(String.join(" ", words.subList(0, n)));
      if (c != null) {
        return new Match(c, n);
      }
    }
    if (words.isEmpty()) {
      throw new UsageException("no command given; run 'calm help' for the list");
    }
    // The longest prefix that is a group, so "calm ae tran" points at the "ae" subcommands.
    for (int n = words.size(); n > 0; n--) {
      String prefix = String.join(" ", words.subList(0, n));
      List<Command> sub = group(prefix);
      if (!sub.isEmpty()) {
        String what = n == words.size()
            ? "'" + prefix + "' needs a subcommand"
            : "unknown command '" + String.join(" ", words.subList(0, n + 1)) + "'";
        return fail(what + "; one of: " + String.join(", ", sub.stream().map(Command::name).toList()));
      }
    }
    return fail("unknown command '" + words.get(0) + "'" + suggestion(words.get(0)) + "; run 'calm help' for the list");
  }

  private Match fail(String message) {
    throw new UsageException(message);
  }

  private String suggestion(String word) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String name : byName.keySet()) {
      String first = name.split(" ")[0];
      int d = Args.editDistance(word, first);
      if (d < bestDistance) {
        bestDistance = d;
        best = first;
      }
    }
    return best != null && bestDistance <= Math.max(1, word.length() / 3) ? " (did you mean '" + best + "'?)" : "";
  }
}
