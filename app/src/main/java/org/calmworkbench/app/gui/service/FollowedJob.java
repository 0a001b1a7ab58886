package org.calmworkbench.app.gui.service;

import java.util.function.Function;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.binding.StringBinding;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.value.ChangeListener;

/**
 * The job a page follows (the one it started last): its state, progress and one-line progress
 * text as properties that stay bound to whichever job is followed, whether it is active, and Pause
 * / Resume / Stop on it. A view model keeps one and hands its properties to the view. UI thread.
 */
public final class FollowedJob {
  private final ReadOnlyObjectWrapper<Job> job = new ReadOnlyObjectWrapper<>(this, "job");
  private final ReadOnlyObjectWrapper<JobState> state = new ReadOnlyObjectWrapper<>(this, "state");
  private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(this, "progress", 0);
  private final ReadOnlyStringWrapper text = new ReadOnlyStringWrapper(this, "text", "");
  private final ChangeListener<JobState> stateMirror = (o, a, s) -> state.set(s);
  private final BooleanBinding active =
      Bindings.createBooleanBinding(() -> state.get() != null && !state.get().isFinal(), state);
  private final Function<Job, StringBinding> lineText;

  /** Follows jobs with {@link #text(Job)} as the progress line. */
  public FollowedJob() {
    this(FollowedJob::text);
  }

  /** Follows jobs with {@code lineText} as the progress line (e.g. one that names the job). */
  public FollowedJob(Function<Job, StringBinding> lineText) {
    this.lineText = lineText;
  }

  /** Follows {@code j} from now on (and no longer the job before it). */
  public void follow(Job j) {
    Job old = job.get();
    if (old != null) {
      old.stateProperty().removeListener(stateMirror);
      progress.unbind();
      text.unbind();
    }
    job.set(j);
    state.set(j.state());
    j.stateProperty().addListener(stateMirror);
    progress.bind(j.progressProperty());
    text.bind(lineText.apply(j));
  }

  /** The followed job; null before the first. */
  public ReadOnlyObjectProperty<Job> jobProperty() {
    return job.getReadOnlyProperty();
  }

  public ReadOnlyObjectProperty<JobState> stateProperty() {
    return state.getReadOnlyProperty();
  }

  /** Fraction done, -1 while unknown. */
  public ReadOnlyDoubleProperty progressProperty() {
    return progress.getReadOnlyProperty();
  }

  /** See {@link #text(Job)}. */
  public ReadOnlyStringProperty textProperty() {
    return text.getReadOnlyProperty();
  }

  /** The followed job is queued, running or paused. */
  public BooleanBinding activeBinding() {
    return active;
  }

  public void pause() {
    if (job.get() != null) {
      job.get().pause();
    }
  }

  public void resume() {
    if (job.get() != null) {
      job.get().resume();
    }
  }

  /** Asks the followed job to end (a training run saves a checkpoint first); false when none is active. */
  public boolean stop() {
    Job j = job.get();
    if (j == null || j.state().isFinal()) {
      return false;
    }
    j.cancel();
    return true;
  }

  /**
   * The line under a progress bar: the job's message and ETA while it runs ("paused · " first while
   * paused), "waiting for the job before it" while queued, how it ended afterwards ("done in 1:35",
   * "cancelled: stopped by request").
   */
  public static StringBinding text(Job j) {
    return line(j, "");
  }

  /**
   * {@link #text(Job)} with the job's name first while it waits and after it ended ("Train AR
   * baseline ar-…: cancelled: stopped by request"), for a page whose one bar follows several jobs.
   */
  public static StringBinding namedText(Job j) {
    return line(j, j.name() + ": ");
  }

  private static StringBinding line(Job j, String name) {
    return Bindings.createStringBinding(() -> {
      JobState s = j.state();
      String msg = j.messageProperty().get();
      if (s == JobState.QUEUED) {
        return name + "waiting for the job before it";
      }
      if (s == JobState.DONE && msg != null && msg.startsWith("done")) {
        return name + msg; // "done in 1:35", not "done: done in 1:35"
      }
      if (s.isFinal()) {
        return name + s.label() + (msg == null || msg.isBlank() ? "" : ": " + msg);
      }
      double eta = j.etaSecondsProperty().get();
      return (s == JobState.PAUSED ? "paused · " : "") + msg + (Double.isFinite(eta) ? " · ETA " + Durations.format(eta) : "");
    }, j.stateProperty(), j.messageProperty(), j.etaSecondsProperty());
  }
}
