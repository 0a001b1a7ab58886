package org.calmworkbench.app.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.calmworkbench.backend.Cancellation;

/**
 * Turns Ctrl-C and SIGTERM into a graceful stop. A JVM shutdown hook (portable, unlike {@code
 * sun.misc.Signal}; also covers SIGHUP) raises the {@link Cancellation} and, if the running command
 * polls it ({@link #commandPollsCancellation()}), waits up to {@code timeout} for the command to
 * return, so a training loop can save its checkpoint before the JVM exits. Other commands end at
 * once, as usual.
 *
 * <p>The JVM keeps running the command's thread while the hook waits. A second Ctrl-C cannot cut
 * the wait short (the JVM ignores it during shutdown); the timeout bounds it.
 */
public final class ShutdownGuard implements AutoCloseable {
  /** How long a stop waits for the command; {@code -Dcalm.stopTimeoutSeconds=N} changes it. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(Long.getLong("calm.stopTimeoutSeconds", 120));

  private final Cancellation cancellation;
  private final Duration timeout;
  private final PrintStream err;
  private final CountDownLatch commandDone = new CountDownLatch(1);
  private final AtomicBoolean polls = new AtomicBoolean();
  private Thread hook;

  public ShutdownGuard(Cancellation cancellation, Duration timeout, PrintStream err) {
    this.cancellation = cancellation;
    this.timeout = timeout;
    this.err = err;
  }

  /** Registers the JVM shutdown hook. */
  public ShutdownGuard install() {
    hook = new Thread(this::onShutdown, "calm-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    return this;
  }

  /** Called by {@link CliContext#cancellation()}: the command will poll, so a stop should wait for it. */
  public void commandPollsCancellation() {
    polls.set(true);
  }

  /** The command has returned (normally or not); a waiting hook may let the JVM exit. */
  public void commandFinished() {
    commandDone.countDown();
  }

  /**
   * What the hook does: raise the flag and wait for the command. Returns true if the command
   * finished in time (or there was nothing to wait for), false on timeout.
   */
  public boolean onShutdown() {
    if (commandDone.getCount() == 0) {
      return true;
    }
    cancellation.cancel("interrupted (Ctrl-C or SIGTERM)");
    if (!polls.get()) {
      return true;
    }
    err.println();
    err.println("stopping: finishing the current step and saving a checkpoint (waiting up to "
        + timeout.toSeconds() + " s)...");
    err.flush();
    try {
      if (commandDone.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        return true;
      }
      err.println("gave up waiting after " + timeout.toSeconds() + " s; the last saved checkpoint is intact");
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Marks the command finished and removes the hook when the JVM is not already shutting down. */
  @Override
  public void close() {
    commandFinished();
    if (hook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running or about to; commandFinished() lets it return.
      }
    }
  }
}
