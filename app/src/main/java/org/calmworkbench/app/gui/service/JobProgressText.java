package org.calmworkbench.app.gui.service;

import javafx.beans.binding.Bindings;
import javafx.beans.binding.StringBinding;

/**
 * The one-line text a page shows under its progress bar for the job it follows: the job's message
 * and ETA while it runs ("paused · " first while paused), "waiting for the job before it" while
 * queued, and how it ended afterwards ("done in 1:35", "cancelled: stopped by request").
 */
public final class JobProgressText {
  private JobProgressText() {}

  public static StringBinding of(Job j) {
    return Bindings.createStringBinding(() -> {
      JobState s = j.state();
      String msg = j.messageProperty().get();
      if (s == JobState.QUEUED) {
        return "waiting for the job before it";
      }
      if (s == JobState.DONE && msg != null && msg.startsWith("done")) {
        return msg; // "done in 1:35", not "done: done in 1:35"
      }
      if (s.isFinal()) {
        return s.label() + (msg == null || msg.isBlank() ? "" : ": " + msg);
      }
      double eta = j.etaSecondsProperty().get();
      return (s == JobState.PAUSED ? "paused · " : "") + msg + (Double.isFinite(eta) ? " · ETA " + Durations.format(eta) : "");
    }, j.stateProperty(), j.messageProperty(), j.etaSecondsProperty());
  }
}
