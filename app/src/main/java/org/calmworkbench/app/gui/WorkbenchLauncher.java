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
    reserveACoreForTheUi();
    Application.launch(WorkbenchApp.class, args);
  }

  /**
   * PyTorch's intra-op threads spin on every core they are given; with all of them busy the FX
   * thread waits for a core and pulses stall (measured: 116 ms gaps on 2 cores, docs/BENCHMARKS.md).
   * The window therefore leaves one core to the UI: the engine gets cores - 1 threads unless the
   * user set {@code ai.djl.pytorch.num_threads} (or OMP_NUM_THREADS) explicitly. Must run before
   * the engine loads; the engine loads lazily on the service thread, after this.
   */
  public static void reserveACoreForTheUi() {
    int cores = Runtime.getRuntime().availableProcessors();
    if (cores >= 2 && System.getProperty("ai.djl.pytorch.num_threads") == null && System.getenv("OMP_NUM_THREADS") == null) {
      System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(cores - 1));
    }
  }

  /** Opens the window on {@code project} (null: the start-up rules) and returns when it closes. */
  public static void launch(Path project) {
    main(project == null ? new String[0] : new String[] {"--project=" + project.toAbsolutePath()});
  }
}
