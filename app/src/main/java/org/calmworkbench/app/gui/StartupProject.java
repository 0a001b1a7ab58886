package org.calmworkbench.app.gui;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.calmworkbench.app.gui.common.AppSettings;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.io.AtomicFiles;
import org.calmworkbench.backend.project.Project;

/**
 * Which project the workbench opens first: the one given with {@code --project}; else the last one
 * used; else the bundled sample {@code sample-projects/grammar-english}, looked up in the working
 * folder and then in the install folder that {@code ./calm} passes as {@code -Dcalm.home}.
 *
 * <p>The installed app ({@code -Dcalm.installed=true}, set by its launcher) never writes inside its
 * install folder: a bundled project found there is copied once to {@code ~/CALM Workbench/<name>}
 * and the copy is opened ({@link #writable}). It looks for bundled folders in its install folder
 * only, not in the working folder: started from a menu or from a terminal in a clone of the
 * sources, it opens the same copy.
 */
public final class StartupProject {
  private StartupProject() {}

  /** Set to true by the installed app's launcher: the install folder ({@code calm.home}) is read-only. */
  public static final String INSTALLED = "calm.installed";
  /** Overrides where the installed app copies bundled projects (default {@code ~/CALM Workbench}). */
  public static final String PROJECTS_DIR = "calm.projectsDir";

  public static final String SAMPLE = "sample-projects/grammar-english";
  /** The bundled experiment files (the Experiments page lists them beside the project's). */
  public static final String SAMPLE_EXPERIMENTS = "sample-projects/experiments";

  /**
   * A bundled folder ({@code relative}, e.g. {@link #SAMPLE_EXPERIMENTS}) in the working folder, else in
   * {@code calmHome} (the install folder {@code ./calm} passes as {@code -Dcalm.home}); null if neither has it.
   */
  public static Path bundled(String relative, Path workingDir, String calmHome) {
    Path inWd = workingDir.resolve(relative);
    if (!Boolean.getBoolean(INSTALLED) && Files.isDirectory(inWd)) {
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
      Path used = writable(folder.normalize(), calmHome);
      return new Resolution(used, used.equals(folder.normalize()) ? "given with --project"
          : "given with --project; your copy of the bundled project");
    }
    Path last = settings.lastProject();
    if (last != null && Files.isRegularFile(last.resolve(Project.FILE_NAME))) {
      return new Resolution(last, "the last project used (remembered in " + settings.file() + ")");
    }
    Path inWd = workingDir.resolve(SAMPLE);
    if (!Boolean.getBoolean(INSTALLED) && Files.isRegularFile(inWd.resolve(Project.FILE_NAME))) {
      return new Resolution(inWd.toAbsolutePath().normalize(), "the bundled sample, found in the working folder " + workingDir);
    }
    if (calmHome != null) {
      Path inHome = Path.of(calmHome).resolve(SAMPLE);
      if (Files.isRegularFile(inHome.resolve(Project.FILE_NAME))) {
        Path bundled = inHome.toAbsolutePath().normalize();
        Path used = writable(bundled, calmHome);
        return new Resolution(used, used.equals(bundled) ? "the bundled sample, found via calm.home=" + calmHome
            : "your copy of the bundled sample (made on the first start; the install folder stays read-only)");
      }
    }
    return new Resolution(null, "no project found (no --project, no last project, no " + SAMPLE
        + " in the working folder or calm.home); open one from the Project page");
  }
  /**
   * The folder to use for {@code project}: itself, unless this is the installed app and the project
   * lies inside the install folder {@code calmHome}; then the person's copy in
   * {@link #userProjectsDir()}, made on first use.
   */
  public static Path writable(Path project, String calmHome) {
    if (!Boolean.getBoolean(INSTALLED) || calmHome == null
        || !project.toAbsolutePath().normalize().startsWith(Path.of(calmHome).toAbsolutePath().normalize())) {
      return project;
    }
    return copyOnce(project, userProjectsDir());
  }

  /** {@code -Dcalm.projectsDir}, else {@code ~/CALM Workbench}. */
  public static Path userProjectsDir() {
    String dir = System.getProperty(PROJECTS_DIR);
    return dir != null && !dir.isBlank() ? Path.of(dir) : Path.of(System.getProperty("user.home"), "CALM Workbench");
  }

  /**
   * {@code projectsDir/<project's folder name>}, copied from {@code project} if it is not there yet
   * (token caches left out). The copy is made in a hidden folder beside it and renamed into place,
   * so an interrupted first start leaves no half project; an existing copy is used as it is.
   */
  public static Path copyOnce(Path project, Path projectsDir) {
    Path target = projectsDir.resolve(project.getFileName().toString());
    if (Files.isRegularFile(target.resolve(Project.FILE_NAME))) {
      return target;
    }
    if (Files.exists(target)) {
      throw new CalmException(target + " exists but is not a project (no " + Project.FILE_NAME
          + "); move it away so the bundled project can be copied there");
    }
    Path tmp = null;
    try {
      Files.createDirectories(projectsDir);
      tmp = Files.createTempDirectory(projectsDir, "." + target.getFileName() + ".copying-");
      Path from = project.toAbsolutePath().normalize();
      AtomicFiles.copyTree(from, tmp, rel -> rel.startsWith(CACHE_DIR));
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      tmp = null;
      return target;
    } catch (IOException e) {
      throw new CalmException("cannot copy the bundled project " + project + " to " + target + ": " + e.getMessage(), e);
    } finally {
      if (tmp != null) {
        try {
          AtomicFiles.deleteTree(tmp);
        } catch (IOException ignored) {
          // the hidden leftover is harmless and the error above says what failed
        }
      }
    }
  }

  /** A project's token cache: rebuilt on demand, so never copied. */
  private static final String CACHE_DIR = ".calm-cache";

}
