package org.calmworkbench.app.gui.common;

import java.nio.file.Path;
import org.calmworkbench.backend.project.Project;
import org.calmworkbench.backend.project.RunStore;

/** The events that cross pages. */
public final class Events {
  private Events() {}

  /** A project became the current one. */
  public record ProjectOpened(Project project) {}

  /**
   * A run folder under the project's runs/ gained or updated a checkpoint; {@code checkpoints} is
   * the project's listing read right after the save, so the pages show it without reading the disk
   * on the UI thread.
   */
  public record CheckpointSaved(Path dir, RunStore.Listing checkpoints) {
    /** The event for {@code dir}, listing {@code projectFolder}'s checkpoints: call it on the saving job's thread. */
    public static CheckpointSaved read(Path dir, Path projectFolder) {
      return new CheckpointSaved(dir, RunStore.listing(projectFolder));
    }
  }

  /** Ask the main window to show the page with this title. */
  public record ShowPage(String title) {}
}
