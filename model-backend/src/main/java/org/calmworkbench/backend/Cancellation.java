package org.calmworkbench.backend;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A flag one thread raises to ask long work on another thread to stop at its next safe point (a
 * training loop saves a checkpoint first, then returns). Raising it is permanent; the work polls
 * {@link #isCancelled()} once per step. The CLI raises it on Ctrl-C or SIGTERM, the GUI from a Stop
 * button. A training loop that takes a {@code TrainControl} can be given {@code
 * cancellation::isCancelled}.
 */
public final class Cancellation {
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private volatile String reason = "";

  /**
   * Raises the flag. Returns true if this call raised it, false if it was already raised (the first
   * reason is kept).
   */
  public synchronized boolean cancel(String reason) {
    if (cancelled.get()) {
      return false;
    }
    this.reason = reason == null ? "" : reason; // set before the flag, so a poller that sees the flag sees the reason
    cancelled.set(true);
    return true;
  }

  public boolean isCancelled() {
    return cancelled.get();
  }

  /** Why the flag was raised ({@code "interrupted (Ctrl-C)"}, {@code "stopped by user"}); empty while not raised. */
  public String reason() {
    return reason;
  }
}
