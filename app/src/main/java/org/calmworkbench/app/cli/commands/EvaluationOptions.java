package org.calmworkbench.app.cli.commands;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options the evaluation commands ({@code ae eval}, {@code eval}, {@code lm levels}) share, {@code --project} among them. */
final class EvaluationOptions {
  @Option(names = "--corpus", arity = "1..*", paramLabel = "PATH", description = "held-out text files, folders or JSONL"
      + " files (default: the project's corpus)")
  List<Path> corpus;

  @Option(names = "--seed", paramLabel = "N", description = "seed of the noise or the samples (default: the project's"
      + " seed, else 1)")
  Long seed;

  @Mixin
  ProjectOption project;

  /** {@code --corpus}, else the project's. */
  List<Path> corpus() {
    return project.corpus(corpus);
  }

  /** {@code --corpus}, else the project's, else none (the command then reads the run's own split). */
  List<Path> corpusIfAny() {
    return corpus == null && project.project() == null ? List.of() : project.corpus(corpus);
  }

  /** {@code --seed}, else the project's, else 1. */
  long seed() {
    return project.seed(seed, 1);
  }
}
