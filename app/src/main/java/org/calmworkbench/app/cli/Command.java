package org.calmworkbench.app.cli;

import java.util.List;

/**
 * One CLI command, e.g. {@code calm ae train}. Register it in {@link CalmCli#commands()}.
 *
 * <p>A command declares its options (so a typo is an error that lists the valid ones), reads them
 * through {@link Args}, writes human text to {@link CliContext#out()}, puts its machine-readable
 * result into {@link CliContext#put}, and returns an exit code. It throws {@link
 * org.calmworkbench.backend.CalmException} for anything a person can fix. The global options
 * {@code --json}, {@code --verbose} and {@code --help} are handled by the framework.
 */
public interface Command {

  /** The words that invoke it, separated by one space: {@code "ae train"}. */
  String name();

  /** One line for {@code calm help}. */
  String summary();

  /** Paragraphs shown by {@code --help} under the usage line; defaults to the summary. */
  default String description() {
    return summary();
  }

  /** The options it accepts, in the order usage lists them. */
  default List<Option> options() {
    return List.of();
  }

  /** The plain arguments it accepts; none by default. */
  default Positionals positionals() {
    return Positionals.NONE;
  }

  /** The full {@code --help} text. */
  default String usage() {
    return Usage.of(this);
  }

  /** Runs the command; returns the exit code (0 for success). */
  int run(Args args, CliContext ctx) throws Exception;
}
