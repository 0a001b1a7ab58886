package org.calmworkbench.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.calmworkbench.backend.Cancellation;
import org.junit.jupiter.api.Test;

class CliShutdownGuardTest {
  private final PrintStream err = new PrintStream(new ByteArrayOutputStream());

  @Test
  void stopWaitsForAPollingCommandToSaveItsCheckpoint() throws Exception {
    Cancellation cancellation = new Cancellation();
    ShutdownGuard guard = new ShutdownGuard(cancellation, Duration.ofSeconds(30), err);
    guard.commandPollsCancellation();
    AtomicBoolean saved = new AtomicBoolean();
    Thread loop = new Thread(() -> {
      while (!cancellation.isCancelled()) {
        Thread.onSpinWait();
      }
      try {
        Thread.sleep(300); // "saving a checkpoint"
      } catch (InterruptedException e) {
        return;
      }
      saved.set(true);
      guard.commandFinished();
    });
    loop.start();
    assertTrue(guard.onShutdown());
    assertTrue(saved.get(), "the hook returned before the checkpoint was saved");
    assertTrue(cancellation.reason().contains("interrupted"));
    loop.join();
  }

  @Test
  void stopGivesUpAfterTheTimeout() {
    Cancellation cancellation = new Cancellation();
    ShutdownGuard guard = new ShutdownGuard(cancellation, Duration.ofMillis(100), err);
    guard.commandPollsCancellation();
    long start = System.nanoTime();
    assertFalse(guard.onShutdown());
    assertTrue(System.nanoTime() - start >= 90_000_000L);
    assertTrue(cancellation.isCancelled());
  }

  @Test
  void commandThatDoesNotPollIsNotWaitedFor() {
    Cancellation cancellation = new Cancellation();
    ShutdownGuard guard = new ShutdownGuard(cancellation, Duration.ofSeconds(30), err);
    long start = System.nanoTime();
    assertTrue(guard.onShutdown());
    assertTrue(System.nanoTime() - start < 5_000_000_000L);
    assertTrue(cancellation.isCancelled());
  }

  @Test
  void stopAfterTheCommandFinishedDoesNothing() {
    Cancellation cancellation = new Cancellation();
    ShutdownGuard guard = new ShutdownGuard(cancellation, Duration.ofSeconds(30), err);
    guard.commandPollsCancellation();
    guard.close();
    assertTrue(guard.onShutdown());
    assertFalse(cancellation.isCancelled());
  }

  @Test
  void cancellationKeepsTheFirstReason() {
    Cancellation c = new Cancellation();
    assertEquals("", c.reason());
    assertTrue(c.cancel("first"));
    assertFalse(c.cancel("second"));
    assertEquals("first", c.reason());
  }
}
