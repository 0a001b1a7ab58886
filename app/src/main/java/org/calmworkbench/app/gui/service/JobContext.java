package org.calmworkbench.app.gui.service;

import java.util.List;
import java.util.function.Consumer;
import org.calmworkbench.backend.train.TrainControl;

/**
 * What a running job talks to (on the service thread). Every method is cheap and may be called
 * thousands of times a second: updates reach the UI coalesced, at most once per frame.
 */
public final class JobContext {
  private final Job job;
  private final CoalescingDispatcher dispatcher;
  private final Consumer<String> log;

  JobContext(Job job, CoalescingDispatcher dispatcher, Consumer<String> log) {
    this.job = job;
    this.dispatcher = dispatcher;
    this.log = log;
  }

  public Job job() {
    return job;
  }

  /** Stop and pause for the backend's loops: {@code AeTraining.run(o, listener, ctx.control())}. */
  public TrainControl control() {
    return job.control();
  }

  public boolean isCancelled() {
    return job.isCancelRequested();
  }

  /** Throws {@link java.util.concurrent.CancellationException} if the job was cancelled. */
  public void checkCancelled() {
    if (job.isCancelRequested()) {
      throw new java.util.concurrent.CancellationException("cancelled");
    }
  }

  /**
   * The job's progress: fraction in [0, 1] (-1 unknown), seconds left (NaN unknown), and a short
   * message (null keeps the last). Only the newest value reaches the UI.
   */
  public void progress(double fraction, double etaSeconds, String message) {
    dispatcher.latest(new Key(job, "progress"), () -> job.setProgress(fraction, etaSeconds, message));
  }

  /** Changes the job's message only. */
  public void message(String message) {
    dispatcher.latest(new Key(job, "message"), () -> job.setMessage(message));
  }

  /** Delivers {@code value} to {@code uiSink} on the UI thread; a newer value for the same key replaces it. */
  public <V> void latest(String key, V value, Consumer<? super V> uiSink) {
    dispatcher.latest(new Key(job, key), value, uiSink);
  }

  /** Adds {@code value} to a batch that reaches {@code uiSink} as one list per UI frame; nothing is dropped. */
  public <V> void append(String key, V value, Consumer<? super List<V>> uiSink) {
    dispatcher.append(new Key(job, key), value, uiSink);
  }

  /** A line in the log pane. */
  public void log(String line) {
    log.accept(job.name() + ": " + line);
  }

  /** Keys are per job, so two jobs never overwrite each other's updates. */
  private record Key(Job job, String name) {}
}
