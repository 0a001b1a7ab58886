package org.calmworkbench.app.cli.commands;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.calmworkbench.app.cli.UsageException;
import org.calmworkbench.backend.project.Project;
import picocli.CommandLine.Option;

/**
 * {@code --project DIR}, mixed into every training and evaluation command: the project supplies
 * what the command line leaves out (the corpus, the output folder, the seed, the split and the
 * presets; {@link org.calmworkbench.backend.project.StageSettings} layers the settings).
 */
final class ProjectOption {
  @Option(names = "--project", paramLabel = "DIR", description = "a project folder: its project.json supplies the corpus,"
      + " seed, split and presets that the command line does not give; runs go to DIR/runs/KIND-yyyyMMdd-HHmmss")
  Path folder;

  private Project project;

  /** The project, loaded once; null without {@code --project}. */
  Project project() {
    if (folder != null && project == null) {
      project = Project.load(folder);
    }
    return project;
  }

  /** {@code --corpus} when given, else the project's corpus. */
  List<Path> corpus(List<Path> given) {
    if (given != null) {
      return given;
    }
    if (project() == null) {
      throw new UsageException("missing required option --corpus PATH... (or --project DIR)");
    }
    return project().corpusPaths();
  }

  /** {@code --out} when given, else a new folder {@code PROJECT/runs/KIND-yyyyMMdd-HHmmss}. */
  Path out(Path given, String kind, boolean resume) throws IOException {
    if (given != null) {
      return given;
    }
    if (resume) {
      throw new UsageException("--resume needs --out DIR, the run to continue");
    }
    if (project() == null) {
      throw new UsageException("missing required option --out DIR (or --project DIR)");
    }
    return project().newRunFolder(kind);
  }

  /** {@code --seed} when given, else the project's seed, else {@code fallback}. */
  long seed(Long given, long fallback) {
    return given != null ? given : project() != null ? project().seed() : fallback;
  }
}
