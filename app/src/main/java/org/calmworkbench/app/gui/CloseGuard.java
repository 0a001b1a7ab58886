package org.calmworkbench.app.gui;

import java.util.List;
import java.util.function.Predicate;
import org.calmworkbench.app.gui.service.Job;
import org.calmworkbench.app.gui.service.WorkbenchService;

/**
 * What happens when the window is closed while jobs run. A running training job (a pausable job)
 * is worth asking about: if the person agrees to stop it, it is stopped (the backend saves a
 * checkpoint first) and the app exits once the queue is idle. Other jobs are simply cancelled.
 */
public final class CloseGuard {
  private final WorkbenchService service;
  private final Predicate<List<Job>> confirmStop;

  /** @param confirmStop asked with the running training jobs; true means "stop them and quit" */
  public CloseGuard(WorkbenchService service, Predicate<List<Job>> confirmStop) {
    this.service = service;
    this.confirmStop = confirmStop;
  }

  /**
   * Handles a close request on the UI thread. Returns true if the window may close now; false if
   * it must stay (the person chose to keep working, or {@code exit} runs once the checkpoint is saved).
   */
  public boolean requestClose(Runnable exit) {
    List<Job> training = service.unfinished().stream().filter(j -> j.spec().canPause()).toList();
    if (training.isEmpty()) {
      service.cancelAll();
      return true;
    }
    if (!confirmStop.test(training)) {
      return false;
    }
    service.log().info("closing: stopping " + training.size() + " training job(s); a checkpoint is saved first");
    service.cancelAll();
    service.whenIdle(exit);
    return false;
  }
}
