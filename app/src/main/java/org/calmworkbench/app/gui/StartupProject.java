package org.calmworkbench.app.gui;

import java.nio.file.Files;
import java.nio.file.Path;
import org.calmworkbench.app.gui.common.AppSettings;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.project.Project;

/**
 * Which project the workbench opens first: the one given with {@code --project}; else the last one
 * used; else the bundled sample {@code sample-projects/grammar-english}, looked up in the working
 * folder and then in the install folder that {@code ./calm} passes as {@code -Dcalm.home}.
 */
public final class StartupProject {
  private StartupProject() {}

  public static final String SAMPLE = "sample-projects/grammar-english";
  /** The bundled experiment files (the Experiments page lists them beside the project's). */
  public static final String SAMPLE_EXPERIMENTS = "sample-projects/experiments";

  /**
   * A bundled folder ({@code relative}, e.g. {@link #SAMPLE_EXPERIMENTS}) in the working folder, else in
   * {@code calmHome} (the install folder {@code ./calm} passes as {@code -Dcalm.home}); null if neither has it.
   */
  public static Path bundled(String relative, Path workingDir, String calmHome) {
    Path inWd = workingDir.resolve(relative);
    if (Files.isDirectory(inWd)) {
      return inWd.toAbsolutePath().normalize();
    }
    if (calmHome != null && Files.isDirectory(Path.of(calmHome).resolve(relative))) {
      return Path.of(calmHome).resolve(relative).toAbsolutePath().normalize();
    }
    return null;
  }

  /** The folder to open (null: none found) and how it was found, for the person starting the app. */
  public record Resolution(Path folder, String how) {}

  public static Resolution resolve(String given, AppSettings settings, Path workingDir, String calmHome) {
    if (given != null) {
      Path p = Path.of(given);
      if (!p.isAbsolute()) {
        Path inWd = workingDir.resolve(p);
        p = Files.isDirectory(inWd) || calmHome == null ? inWd : Path.of(calmHome).resolve(given);
      }
      Path folder = Files.isRegularFile(p) ? p.toAbsolutePath().getParent() : p.toAbsolutePath();
      if (!Files.isRegularFile(folder.resolve(Project.FILE_NAME))) {
        throw new CalmException("--project: no project at " + folder + " (missing " + Project.FILE_NAME + ")");
      }
      return new Resolution(folder.normalize(), "given with --project");
    }
    Path last = settings.lastProject();
    if (last != null && Files.isRegularFile(last.resolve(Project.FILE_NAME))) {
      return new Resolution(last, "the last project used (remembered in " + settings.file() + ")");
    }
    Path inWd = workingDir.resolve(SAMPLE);
    if (Files.isRegularFile(inWd.resolve(Project.FILE_NAME))) {
      return new Resolution(inWd.toAbsolutePath().normalize(), "the bundled sample, found in the working folder " + workingDir);
    }
    if (calmHome != null) {
      Path inHome = Path.of(calmHome).resolve(SAMPLE);
      if (Files.isRegularFile(inHome.resolve(Project.FILE_NAME))) {
        return new Resolution(inHome.toAbsolutePath().normalize(), "the bundled sample, found via calm.home=" + calmHome);
      }
    }
    return new Resolution(null, "no project found (no --project, no last project, no " + SAMPLE
        + " in the working folder or calm.home); open one from the Project page");
  }
}
