package org.calmworkbench.app.gui.service;

import javafx.application.Platform;

/** The FX application thread, through {@link Platform#runLater}. */
public final class FxUiExecutor implements UiExecutor {
  @Override
  public void execute(Runnable r) {
    Platform.runLater(r);
  }

  @Override
  public boolean isUiThread() {
    return Platform.isFxApplicationThread();
  }
}
