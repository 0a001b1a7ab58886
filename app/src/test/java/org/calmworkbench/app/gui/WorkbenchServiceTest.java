package org.calmworkbench.app.gui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.calmworkbench.app.gui.TestContexts.RecordingNotifier;
import org.calmworkbench.app.gui.service.Job;
import org.calmworkbench.app.gui.service.JobSpec;
import org.calmworkbench.app.gui.service.JobState;
import org.calmworkbench.app.gui.service.LogModel;
import org.calmworkbench.app.gui.service.SameThreadUiExecutor;
import org.calmworkbench.app.gui.service.WorkbenchService;
import org.calmworkbench.backend.CalmException;
import org.junit.jupiter.api.Test;

/** The job service without a screen: queue order, cancel, pause, failures, and closing with a running job. */
class WorkbenchServiceTest {
  /** A worker that runs queued jobs only when the test says so. */
  static final class ManualWorker implements java.util.concurrent.Executor {
    final Queue<Runnable> queue = new ArrayDeque<>();

    @Override
    public void execute(Runnable r) {
      queue.add(r);
    }

    void runAll() {
      while (!queue.isEmpty()) {
        queue.poll().run();
      }
    }
  }

  private static WorkbenchService service(java.util.concurrent.Executor worker, RecordingNotifier n) {
    return new WorkbenchService(new SameThreadUiExecutor(), worker, () -> {}, n);
  }

  @Test
  void jobsRunOneAfterAnotherAndEndDone() {
    ManualWorker worker = new ManualWorker();
    WorkbenchService s = service(worker, new RecordingNotifier());
    List<String> order = new ArrayList<>();
    Job a = s.submit(JobSpec.of("a", "test"), ctx -> order.add("a"), r -> order.add("a result"));
    Job b = s.submit(JobSpec.of("b", "test"), ctx -> order.add("b"), r -> order.add("b result"));
    assertEquals(List.of(a, b), s.jobs());
    assertEquals(JobState.QUEUED, a.state());
    worker.runAll();
    assertEquals(List.of("a", "a result", "b", "b result"), order);
    assertEquals(JobState.DONE, a.state());
    assertEquals(JobState.DONE, b.state());
    assertEquals(1.0, b.progressProperty().get());
    assertNull(s.currentProperty().get());
  }

  @Test
  void cancellingAQueuedJobMarksItCancelledAndItNeverRuns() {
    ManualWorker worker = new ManualWorker();
    WorkbenchService s = service(worker, new RecordingNotifier());
    AtomicBoolean ran = new AtomicBoolean();
    Job j = s.submit(JobSpec.of("never", "test"), ctx -> {
      ran.set(true);
      return null;
    }, r -> {});
    j.cancel();
    worker.runAll();
    assertEquals(JobState.CANCELLED, j.state());
    assertFalse(ran.get());
  }

  @Test
  void cancellingARunningJobMarksItCancelledAndStillDeliversWhatItReturned() {
    WorkbenchService s = service(Runnable::run, new RecordingNotifier());
    List<Integer> results = new ArrayList<>();
    Job j = s.submit(JobSpec.of("loop", "test").pausable(), ctx -> {
      int steps = 0;
      while (!ctx.control().stopRequested()) {
        steps++;
        if (steps == 5) {
          ctx.job().cancel(); // as the Stop button would, from the UI
        }
      }
      return steps;
    }, results::add);
    assertEquals(JobState.CANCELLED, j.state());
    assertEquals(List.of(5), results);
  }

  @Test
  void aFailedJobIsReportedOnceAndTheNextJobStillRuns() {
    RecordingNotifier n = new RecordingNotifier();
    WorkbenchService s = service(Runnable::run, n);
    Job bad = s.submit(JobSpec.of("bad", "test"), ctx -> {
      throw new CalmException("corpus.jsonl line 3: not JSON");
    }, r -> {});
    Job good = s.submit(JobSpec.of("good", "test"), ctx -> 1, r -> {});
    assertEquals(JobState.FAILED, bad.state());
    assertEquals("corpus.jsonl line 3: not JSON", bad.messageProperty().get());
    assertEquals(List.of("ERROR: bad failed: corpus.jsonl line 3: not JSON"), n.shown);
    assertTrue(s.log().entries().stream().anyMatch(e -> e.level() == LogModel.Level.ERROR && e.text().contains("not JSON")));
    assertEquals(JobState.DONE, good.state());
  }

  @Test
  void whenAJobEndsItsStateListenersReadTheMessageItEndedWith() {
    // A page shows "Training failed: <message>" from a listener of the job's state; it read the last
    // progress text ("starting the PyTorch engine ...") when the state changed before the message.
    WorkbenchService s = service(Runnable::run, new RecordingNotifier());
    List<String> seen = new ArrayList<>();
    Job j = s.submit(JobSpec.of("ro", "test"), ctx -> {
      ctx.progress(-1, Double.NaN, "starting the PyTorch engine");
      throw new java.io.UncheckedIOException(new java.nio.file.FileSystemException("/media/ro/runs/ae-1", null,
          "Read-only file system"));
    }, r -> {});
    j.stateProperty().addListener((o, a, st) -> seen.add(st + ": " + j.messageProperty().get()));
    Job k = s.submit(JobSpec.of("late", "test"), ctx -> {
      ctx.progress(0.5, 1, "step 1");
      throw new CalmException("a NaN in the loss");
    }, r -> {});
    k.stateProperty().addListener((o, a, st) -> seen.add(st + ": " + k.messageProperty().get()));
    assertEquals(JobState.FAILED, j.state());
    assertTrue(seen.isEmpty() || !seen.get(seen.size() - 1).contains("starting"), seen.toString());
    assertEquals("read-only file system (/media/ro/runs/ae-1)", j.messageProperty().get(),
        "a file system's refusal is said in words, not as an internal error");
  }

  @Test
  void aQueuedJobsStateListenerReadsItsFinalMessage() {
    ManualWorker worker = new ManualWorker();
    WorkbenchService s = service(worker, new RecordingNotifier());
    List<String> seen = new ArrayList<>();
    Job j = s.submit(JobSpec.of("late", "test"), ctx -> {
      ctx.progress(0.5, 1, "step 1");
      throw new CalmException("a NaN in the loss");
    }, r -> {});
    j.stateProperty().addListener((o, a, st) -> seen.add(st + ": " + j.messageProperty().get()));
    worker.runAll();
    assertEquals("FAILED: a NaN in the loss", seen.get(seen.size() - 1), seen.toString());
  }

  @Test
  void anUnexpectedErrorShowsAShortFormAndKeepsTheStackTraceInTheLog() {
    RecordingNotifier n = new RecordingNotifier();
    WorkbenchService s = service(Runnable::run, n);
    Job j = s.submit(JobSpec.of("npe", "test"), ctx -> {
      throw new IllegalStateException("index 7 out of range");
    }, r -> {});
    assertEquals(JobState.FAILED, j.state());
    assertTrue(n.shown.get(0).contains("internal error: IllegalStateException: index 7 out of range"), n.shown.toString());
    LogModel.Entry e = s.log().entries().stream().filter(x -> x.level() == LogModel.Level.ERROR).findFirst().orElseThrow();
    assertTrue(e.detail().contains("WorkbenchServiceTest"), "stack trace kept for the log pane");
  }

  @Test
  void pauseHoldsAPausableJobUntilResumedAndCancelReleasesAPausedJob() throws Exception {
    ExecutorService worker = Executors.newSingleThreadExecutor();
    try {
      WorkbenchService s = service(worker, new RecordingNotifier());
      CountDownLatch started = new CountDownLatch(1);
      java.util.concurrent.atomic.AtomicLong steps = new java.util.concurrent.atomic.AtomicLong();
      java.util.concurrent.Semaphore stepAfterResume = new java.util.concurrent.Semaphore(0);
      AtomicBoolean resumed = new AtomicBoolean();
      Job j = s.submit(JobSpec.of("train", "test").pausable(), ctx -> {
        started.countDown();
        while (!ctx.control().stopRequested()) {
          ctx.control().awaitIfPaused();
          steps.incrementAndGet();
          if (resumed.get()) {
            stepAfterResume.release();
          }
          Thread.onSpinWait();
        }
        return null;
      }, r -> {});
      assertTrue(started.await(10, TimeUnit.SECONDS));
      j.pause();
      assertEquals(JobState.PAUSED, j.state());
      j.resume();
      resumed.set(true);
      assertEquals(JobState.RUNNING, j.state());
      assertTrue(stepAfterResume.tryAcquire(10, TimeUnit.SECONDS), "the job steps again after resume");
      j.pause();
      j.cancel(); // a paused job must be released so it can stop
      worker.shutdown();
      assertTrue(worker.awaitTermination(10, TimeUnit.SECONDS));
      assertEquals(JobState.CANCELLED, j.state());
      assertTrue(steps.get() > 0);
    } finally {
      worker.shutdownNow();
    }
  }

  @Test
  void interleavedJobsRunBetweenTheStepsOfARunningOrPausedTrainingJob() throws Exception {
    ExecutorService worker = Executors.newSingleThreadExecutor(r -> new Thread(r, "calm-engine-test"));
    try {
      WorkbenchService s = service(worker, new RecordingNotifier());
      CountDownLatch started = new CountDownLatch(1);
      Job train = s.submit(JobSpec.of("train", "ae-train").pausable(), ctx -> {
        started.countDown();
        while (!ctx.control().stopRequested()) {
          ctx.control().awaitIfPaused();
          Thread.onSpinWait();
        }
        return null;
      }, r -> {});
      assertTrue(started.await(10, TimeUnit.SECONDS));
      List<String> threads = java.util.Collections.synchronizedList(new ArrayList<>());
      CountDownLatch decoded = new CountDownLatch(1);
      Job decode = s.submit(JobSpec.of("decode", "reconstruct").interleaved(), ctx -> {
        threads.add(Thread.currentThread().getName());
        return "text";
      }, r -> decoded.countDown());
      assertTrue(decoded.await(10, TimeUnit.SECONDS), "ran without waiting for the training to end");
      assertEquals(JobState.DONE, decode.state());
      assertEquals(List.of("calm-engine-test"), threads, "on the one service thread");
      assertEquals(JobState.RUNNING, train.state());

      train.pause();
      CountDownLatch whilePaused = new CountDownLatch(1);
      s.submit(JobSpec.of("decode 2", "reconstruct").interleaved(), ctx -> 1, r -> whilePaused.countDown());
      assertTrue(whilePaused.await(10, TimeUnit.SECONDS), "a paused run still serves interleaved jobs");
      assertEquals(JobState.PAUSED, train.state());
      train.cancel();
      worker.shutdown();
      assertTrue(worker.awaitTermination(10, TimeUnit.SECONDS));
      assertEquals(JobState.CANCELLED, train.state());
      assertEquals(JobState.DONE, decode.state(), "not run a second time from the queue");
    } finally {
      worker.shutdownNow();
    }
  }

  @Test
  void closingWithARunningTrainingJobAsksAndExitsOnlyAfterTheJobStopped() {
    ManualWorker worker = new ManualWorker();
    WorkbenchService s = service(worker, new RecordingNotifier());
    AtomicBoolean exited = new AtomicBoolean();
    Job train = s.submit(JobSpec.of("train", "ae-train").pausable(), ctx -> {
      while (!ctx.control().stopRequested()) {
        Thread.onSpinWait();
      }
      return "checkpoint saved";
    }, r -> {});

    CloseGuard keep = new CloseGuard(s, jobs -> false);
    assertFalse(keep.requestClose(() -> exited.set(true)));
    assertFalse(train.isCancelRequested(), "keep training: nothing is stopped");

    List<List<Job>> asked = new ArrayList<>();
    CloseGuard stop = new CloseGuard(s, jobs -> asked.add(jobs));
    assertFalse(stop.requestClose(() -> exited.set(true)), "the window waits for the checkpoint");
    assertEquals(List.of(List.of(train)), asked);
    assertTrue(train.isCancelRequested());
    assertFalse(exited.get());
    worker.runAll(); // the loop sees the stop, saves, returns
    assertEquals(JobState.CANCELLED, train.state());
    assertTrue(exited.get());
  }

  @Test
  void aJvmShutdownStopsTheRunningJobAndWaitsForIt() throws Exception {
    WorkbenchService s = WorkbenchService.start(new SameThreadUiExecutor(), new RecordingNotifier());
    CountDownLatch started = new CountDownLatch(1);
    AtomicBoolean saved = new AtomicBoolean();
    Job train = s.submit(JobSpec.of("train", "ae-train").pausable(), ctx -> {
      started.countDown();
      while (!ctx.control().stopRequested()) {
        ctx.control().awaitIfPaused();
      }
      saved.set(true); // where the training loop writes its checkpoint
      return null;
    }, r -> {});
    assertTrue(started.await(10, TimeUnit.SECONDS));
    assertTrue(s.stopAndAwait(10, TimeUnit.SECONDS));
    assertTrue(saved.get());
    assertEquals(JobState.CANCELLED, train.state());
  }

  @Test
  void closingWhenIdleClosesAtOnce() {
    WorkbenchService s = service(new ManualWorker(), new RecordingNotifier());
    assertTrue(new CloseGuard(s, jobs -> {
      throw new AssertionError("nothing to ask");
    }).requestClose(() -> {}));
  }
}
