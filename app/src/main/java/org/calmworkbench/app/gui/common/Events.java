package org.calmworkbench.app.gui.common;

import java.nio.file.Path;
import org.calmworkbench.backend.project.Project;

/** The events that cross pages. */
public final class Events {
  private Events() {}

  /** A project became the current one. */
  public record ProjectOpened(Project project) {}

  /** A run folder under the project's runs/ gained or updated a checkpoint. */
  public record CheckpointSaved(Path dir) {}

  /** Ask the main window to show the page with this title. */
  public record ShowPage(String title) {}
}
