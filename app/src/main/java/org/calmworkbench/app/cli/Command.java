package org.calmworkbench.app.cli;

/**
 * One CLI command, e.g. {@code calm ae train}. Register it in {@link CalmCli#commands()}.
 *
 * <p>A command declares its options as picocli {@code @Option} fields (and plain arguments as
 * {@code @Parameters}) on the implementing class; {@link CommandTree} parses the command line into
 * them, so a typo is an error that names the valid options. It writes human text to {@link
 * CliContext#out()}, puts its machine-readable result into {@link CliContext#put}, and returns an
 * exit code. It throws {@link org.calmworkbench.backend.CalmException} for anything a person can
 * fix. The global options ({@link GlobalOptions}) are handled by the framework.
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

  /** Runs the command with its option fields filled in; returns the exit code (0 for success). */
  int run(CliContext ctx) throws Exception;
}
