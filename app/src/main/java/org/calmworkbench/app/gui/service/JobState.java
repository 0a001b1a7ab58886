package org.calmworkbench.app.gui.service;

/** Where a job is in its life; the last three are final. */
public enum JobState {
  QUEUED,
  RUNNING,
  PAUSED,
  DONE,
  FAILED,
  CANCELLED;

  public boolean isFinal() {
    return this == DONE || this == FAILED || this == CANCELLED;
  }

  public boolean isActive() {
    return this == RUNNING || this == PAUSED;
  }

  /** Lower-case word for people ("queued", "running"...). */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
