package org.calmworkbench.app.cli;

import picocli.CommandLine.Option;

/** The options every command accepts, mixed into each command by {@link CommandTree}. */
public final class GlobalOptions {
  /** The mixin's name in every command's picocli spec. */
  static final String MIXIN = "global";

  @Option(names = "--json", description = "print exactly one JSON object on stdout (logs and progress go to stderr)")
  boolean json;

  @Option(names = "--verbose", description = "print stack traces on errors and more detail")
  boolean verbose;

  @Option(names = "--device", paramLabel = "auto|cpu|gpu", description = "where models compute: auto (default) takes GPU 0"
      + " when PyTorch sees one; a GPU that is missing or fails falls back to the CPU with a notice")
  String device;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
  boolean help;
}
