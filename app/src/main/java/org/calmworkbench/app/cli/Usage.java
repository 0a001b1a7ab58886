package org.calmworkbench.app.cli;

import java.util.ArrayList;
import java.util.List;

/** Formats usage text: one command's {@code --help} and the command list of {@code calm help}. */
public final class Usage {
  private Usage() {}

  /** The options every command accepts, handled by {@link CalmCli}. */
  public static final List<Option> GLOBAL_OPTIONS =
      List.of(
          Option.flag("json", "print exactly one JSON object on stdout (logs and progress go to stderr)"),
          Option.flag("verbose", "print stack traces on errors and more detail"),
          Option.value("device", "auto|cpu|gpu", "where models compute: auto (default) takes GPU 0 when PyTorch sees one;"
              + " a GPU that is missing or fails falls back to the CPU with a notice"),
          Option.flag("help", "show this help"));

  public static String of(Command c) {
    StringBuilder b = new StringBuilder();
    b.append("usage: calm ").append(c.name());
    if (!c.options().isEmpty()) {
      b.append(" [options]");
    }
    if (!c.positionals().synopsis().isEmpty()) {
      b.append(' ').append(c.positionals().synopsis());
    }
    b.append("\n\n").append(c.description().strip()).append('\n');
    if (!c.options().isEmpty()) {
      b.append("\noptions:\n");
      table(b, c.options());
    }
    b.append("\nglobal options:\n");
    table(b, GLOBAL_OPTIONS);
    return b.toString();
  }

  /** The text of {@code calm help}: every command with its summary. */
  public static String overview(CommandRegistry registry, String version) {
    StringBuilder b = new StringBuilder();
    b.append("CALM Workbench ").append(version).append(" - Continuous Autoregressive Language Models\n\n");
    b.append("usage: calm <command> [options]\n\ncommands:\n");
    int width = registry.commands().stream().mapToInt(c -> c.name().length()).max().orElse(0);
    for (Command c : registry.commands()) {
      b.append("  ").append(pad(c.name(), width)).append("  ").append(c.summary()).append('\n');
    }
    b.append("\nRun 'calm <command> --help' for its options. Every command accepts --json (one JSON object\n")
        .append("on stdout, for scripts), --verbose (stack traces) and --device auto|cpu|gpu. Exit codes: 0 ok,\n")
        .append("1 internal error, 2 bad input (the message says what to fix).\n");
    return b.toString();
  }

  private static void table(StringBuilder b, List<Option> options) {
    List<String> left = new ArrayList<>();
    for (Option o : options) {
      left.add(o.synopsis());
    }
    int width = Math.min(28, left.stream().mapToInt(String::length).max().orElse(0));
    for (int i = 0; i < options.size(); i++) {
      Option o = options.get(i);
      String help = o.help();
      if (o.isRequired()) {
        help += " (required)";
      } else if (o.defaultValue() != null) {
        help += " (default: " + o.defaultValue() + ")";
      }
      String l = left.get(i);
      b.append("  ").append(l);
      if (l.length() > width) {
        b.append('\n').append(" ".repeat(width + 2));
      } else {
        b.append(" ".repeat(width - l.length()));
      }
      b.append("  ").append(help).append('\n');
    }
  }

  static String pad(String s, int width) {
    return s + " ".repeat(Math.max(0, width - s.length()));
  }
}
