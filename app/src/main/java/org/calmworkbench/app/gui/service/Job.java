package org.calmworkbench.app.gui.service;

import java.util.concurrent.atomic.AtomicBoolean;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.calmworkbench.backend.train.TrainControl;

/**
 * The view model of one queued job: its name, state, progress, ETA and message (read-only
 * properties, changed only on the UI thread), and the commands pause, resume and cancel (callable
 * from any thread). The running work sees those commands through {@link #control()}.
 */
public final class Job {
  private final JobSpec spec;
  private final ReadOnlyObjectWrapper<JobState> state = new ReadOnlyObjectWrapper<>(this, "state", JobState.QUEUED);
  private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(this, "progress", -1);
  private final ReadOnlyDoubleWrapper etaSeconds = new ReadOnlyDoubleWrapper(this, "etaSeconds", Double.NaN);
  private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper(this, "message", "waiting");
  private final ReadOnlyObjectWrapper<Throwable> error = new ReadOnlyObjectWrapper<>(this, "error");

  // Flags the worker reads; written from the UI thread.
  private final AtomicBoolean cancelRequested = new AtomicBoolean();
  private final Object pauseLock = new Object();
  private boolean paused; // guarded by pauseLock
  private boolean woken; // guarded by pauseLock: interleaved work arrived since the last look
  private volatile Runnable onPauseChange = () -> {};
  private volatile Runnable betweenSteps = () -> {};
  private final AtomicBoolean claimed = new AtomicBoolean();

  private final TrainControl control = new TrainControl() {
    @Override
    public boolean stopRequested() {
      return cancelRequested.get();
    }

    @Override
    public void awaitIfPaused() throws InterruptedException {
      // Called by the training loop between steps, on the service thread: a good moment for
      // short interleaved jobs, also while paused (the service wakes us when one arrives).
      while (true) {
        betweenSteps.run();
        synchronized (pauseLock) {
          if (!paused || cancelRequested.get()) {
            return;
          }
          if (!woken) { // no work arrived after betweenSteps looked (wake sets it under this lock)
            pauseLock.wait();
          }
          woken = false;
        }
      }
    }

    @Override
    public boolean paused() {
      synchronized (pauseLock) {
        return paused && !cancelRequested.get();
      }
    }
  };

  Job(JobSpec spec) {
    this.spec = spec;
  }

  public JobSpec spec() {
    return spec;
  }

  public String name() {
    return spec.name();
  }

  public ReadOnlyObjectProperty<JobState> stateProperty() {
    return state.getReadOnlyProperty();
  }

  public JobState state() {
    return state.get();
  }

  /** Fraction done in [0, 1]; -1 while unknown (an indeterminate bar). */
  public ReadOnlyDoubleProperty progressProperty() {
    return progress.getReadOnlyProperty();
  }

  /** Seconds left; NaN while unknown. */
  public ReadOnlyDoubleProperty etaSecondsProperty() {
    return etaSeconds.getReadOnlyProperty();
  }

  public ReadOnlyStringProperty messageProperty() {
    return message.getReadOnlyProperty();
  }

  /** Why the job failed; null otherwise. */
  public ReadOnlyObjectProperty<Throwable> errorProperty() {
    return error.getReadOnlyProperty();
  }

  /** Stop and pause as the backend's training loops poll them. */
  public TrainControl control() {
    return control;
  }

  public boolean isCancelRequested() {
    return cancelRequested.get();
  }

  /**
   * Asks the job to end: a queued job never starts; a running one stops at its next safe point (a
   * training run saves a checkpoint first). A paused job is released so it can stop.
   */
  public void cancel() {
    if (cancelRequested.compareAndSet(false, true)) {
      synchronized (pauseLock) {
        pauseLock.notifyAll();
      }
      onPauseChange.run();
    }
  }

  /** Holds a pausable running job at its next step. */
  public void pause() {
    if (!spec.canPause()) {
      return;
    }
    synchronized (pauseLock) {
      paused = true;
    }
    onPauseChange.run();
  }

  public void resume() {
    synchronized (pauseLock) {
      paused = false;
      pauseLock.notifyAll();
    }
    onPauseChange.run();
  }

  public boolean isPaused() {
    synchronized (pauseLock) {
      return paused;
    }
  }

  // ---- set by the service, on the UI thread ---------------------------------------------------

  void onPauseChange(Runnable r) {
    this.onPauseChange = r;
  }

  /** What a running pausable job runs between its steps (interleaved jobs). */
  void betweenSteps(Runnable r) {
    this.betweenSteps = r;
  }

  /** Wakes a paused job so it runs newly arrived interleaved jobs. */
  void wake() {
    synchronized (pauseLock) {
      woken = true;
      pauseLock.notifyAll();
    }
  }

  /** True for the one caller that gets to run this job (the queue or an interleaving point). */
  boolean claim() {
    return claimed.compareAndSet(false, true);
  }

  void setState(JobState s) {
    state.set(s);
  }

  void setProgress(double fraction, double eta, String text) {
    progress.set(fraction);
    etaSeconds.set(eta);
    if (text != null) {
      message.set(text);
    }
  }

  void setMessage(String text) {
    message.set(text);
  }

  void setError(Throwable t) {
    error.set(t);
  }

  @Override
  public String toString() {
    return spec.name() + " [" + state.get().label() + "]";
  }
}
