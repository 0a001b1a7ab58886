package org.calmworkbench.app.gui;

import java.nio.file.Path;
import javafx.application.Application;

/**
 * The main class for the workbench window ({@code java -cp ... org.calmworkbench.app.gui.WorkbenchLauncher
 * [--project=DIR]}). It does not extend Application, which JavaFX requires of a main class when
 * JavaFX is on the class path rather than the module path.
 */
public final class WorkbenchLauncher {
  private WorkbenchLauncher() {}

  public static void main(String[] args) {
    Application.launch(WorkbenchApp.class, args);
  }

  /** Opens the window on {@code project} (null: the start-up rules) and returns when it closes. */
  public static void launch(Path project) {
    main(project == null ? new String[0] : new String[] {"--project=" + project.toAbsolutePath()});
  }
}
