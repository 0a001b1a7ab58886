package org.calmworkbench.app.gui.service;

/**
 * Where view-model state may be changed: the FX application thread in the app ({@link
 * FxUiExecutor}), the calling thread in tests ({@link SameThreadUiExecutor}). View models and the
 * job service never call {@code Platform} directly, so they run without a screen.
 */
public interface UiExecutor {
  /** Runs {@code r} on the UI thread, later (or now, for the same-thread implementation). */
  void execute(Runnable r);

  /** Whether the caller is on the UI thread. */
  boolean isUiThread();
}
