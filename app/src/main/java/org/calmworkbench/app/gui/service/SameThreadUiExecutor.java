package org.calmworkbench.app.gui.service;

/** Runs UI updates at once on the calling thread: for view-model tests without a screen. */
public final class SameThreadUiExecutor implements UiExecutor {
  @Override
  public void execute(Runnable r) {
    r.run();
  }

  @Override
  public boolean isUiThread() {
    return true;
  }
}
