package org.calmworkbench.app.gui.service;

import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyObjectProperty;

/** What a page's Pause / Resume / Stop row and progress bar follow and drive: its view model's job. */
public interface JobCommands {
  /** The followed job's state; null before the first job. */
  ReadOnlyObjectProperty<JobState> jobStateProperty();

  /** Fraction done, -1 while unknown. */
  ReadOnlyDoubleProperty progressProperty();

  /** A job is queued, running or paused. */
  BooleanBinding activeBinding();

  void pause();

  void resume();

  /** Stops the job (a training saves a checkpoint first). */
  void stop();
}
