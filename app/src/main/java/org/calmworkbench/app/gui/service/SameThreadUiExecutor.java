package org.calmworkbench.app.gui.service;

/**
 * Runs UI updates at once on the calling thread: for view-model tests without a screen. Like the FX
 * thread, it runs one update at a time: updates posted from two threads (a test thread pausing or
 * stopping a job while the service thread finishes it) are serialised by one lock, so a check-then-set
 * in an update (the service's pause-state update against its finish) cannot interleave with another.
 */
public final class SameThreadUiExecutor implements UiExecutor {
  private final Object uiLock = new Object();

  @Override
  public void execute(Runnable r) {
    synchronized (uiLock) {
      r.run();
    }
  }

  @Override
  public boolean isUiThread() {
    return true;
  }
}
