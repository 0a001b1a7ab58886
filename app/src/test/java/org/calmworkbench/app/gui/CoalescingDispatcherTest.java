package org.calmworkbench.app.gui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import org.calmworkbench.app.gui.service.CoalescingDispatcher;
import org.calmworkbench.app.gui.service.UiExecutor;
import org.junit.jupiter.api.Test;

/** The dispatcher turns bursts into one UI task: latest values win, appended values all arrive in one batch. */
class CoalescingDispatcherTest {
  /** A UI thread that runs its tasks only when the test says so (one "frame"). */
  static final class FrameExecutor implements UiExecutor {
    final Queue<Runnable> tasks = new ArrayDeque<>();
    int scheduled;

    @Override
    public synchronized void execute(Runnable r) {
      tasks.add(r);
      scheduled++;
    }

    @Override
    public boolean isUiThread() {
      return false;
    }

    void frame() {
      List<Runnable> now;
      synchronized (this) {
        now = new ArrayList<>(tasks);
        tasks.clear();
      }
      now.forEach(Runnable::run);
    }
  }

  @Test
  void aBurstOfTenThousandEventsDeliversOnlyTheLatestValueInOneUiTask() throws Exception {
    FrameExecutor ui = new FrameExecutor();
    CoalescingDispatcher d = new CoalescingDispatcher(ui);
    List<Integer> delivered = new ArrayList<>();
    Thread producer = new Thread(() -> {
      for (int i = 0; i < 10_000; i++) {
        d.latest("progress", i, delivered::add);
      }
    });
    producer.start();
    producer.join();
    assertEquals(1, ui.scheduled, "one UI task for the whole burst");
    ui.frame();
    assertEquals(List.of(9_999), delivered);
    assertEquals(1, d.flushes());
  }

  @Test
  void appendedValuesAllArriveInOrderAsOneBatch() {
    FrameExecutor ui = new FrameExecutor();
    CoalescingDispatcher d = new CoalescingDispatcher(ui);
    List<List<Integer>> batches = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      d.append("points", i, b -> batches.add(new ArrayList<>(b)));
    }
    ui.frame();
    assertEquals(1, batches.size());
    assertEquals(10_000, batches.get(0).size());
    assertEquals(0, batches.get(0).get(0));
    assertEquals(9_999, batches.get(0).get(9_999));
  }

  @Test
  void keysAreIndependentAndANewFrameIsScheduledAfterAFlush() {
    FrameExecutor ui = new FrameExecutor();
    CoalescingDispatcher d = new CoalescingDispatcher(ui);
    List<String> seen = new ArrayList<>();
    d.latest("a", "a1", seen::add);
    d.latest("b", "b1", seen::add);
    d.latest("a", "a2", seen::add);
    d.always(() -> seen.add("done"));
    ui.frame();
    assertEquals(List.of("a2", "b1", "done"), seen);
    d.latest("a", "a3", seen::add);
    assertEquals(2, ui.scheduled);
    ui.frame();
    assertTrue(seen.contains("a3"));
  }

  @Test
  void concurrentProducersEndWithTheirLastValues() throws Exception {
    FrameExecutor ui = new FrameExecutor();
    CoalescingDispatcher d = new CoalescingDispatcher(ui);
    List<String> seen = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      String key = "job" + t;
      threads.add(new Thread(() -> {
        for (int i = 0; i < 10_000; i++) {
          d.latest(key, key + ":" + i, seen::add);
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    ui.frame();
    assertEquals(4, seen.size());
    for (int t = 0; t < 4; t++) {
      assertTrue(seen.contains("job" + t + ":9999"), seen.toString());
    }
  }

  @Test
  void aWatchedSlowUpdateIsReportedWithItsKeyAndAFastOneIsNot() {
    FrameExecutor ui = new FrameExecutor();
    CoalescingDispatcher d = new CoalescingDispatcher(ui);
    List<String> slow = new ArrayList<>();
    d.watchSlowUpdates(new CoalescingDispatcher.SlowUpdates() {
      @Override
      public long thresholdMs() {
        return 20;
      }

      @Override
      public void slow(String what, double ms, double cpuMs) {
        slow.add(what + (ms >= 20 ? "" : " (under the threshold?)") + (cpuMs <= ms + 1 ? "" : " (more CPU than wall time?)"));
      }
    });
    d.latest("progress", () -> {});
    d.latest("chart", () -> {
      long end = System.nanoTime() + 40_000_000L; // an update that keeps the UI thread 40 ms
      while (System.nanoTime() < end) {
        Thread.onSpinWait();
      }
    });
    ui.frame();
    assertEquals(1, slow.size(), slow.toString());
    assertTrue(slow.get(0).startsWith("chart "), slow.get(0));
    d.watchSlowUpdates(null);
    d.latest("chart", () -> {
      long end = System.nanoTime() + 25_000_000L;
      while (System.nanoTime() < end) {
        Thread.onSpinWait();
      }
    });
    ui.frame();
    assertEquals(1, slow.size(), "not watched any more");
  }

  private static void spin(long ms) {
    long end = System.nanoTime() + ms * 1_000_000L;
    while (System.nanoTime() < end) {
      Thread.onSpinWait();
    }
  }

  @Test
  void slowUpdatesAreSpreadOverUiTasksInOrderAndNothingIsLost() {
    FrameExecutor ui = new FrameExecutor();
    CoalescingDispatcher d = new CoalescingDispatcher(ui);
    List<String> seen = new ArrayList<>();
    List<List<Integer>> batches = new ArrayList<>();
    long slowMs = CoalescingDispatcher.FLUSH_BUDGET_MS + 2;
    d.always(() -> { spin(slowMs); seen.add("first"); });
    d.append("points", 1, b -> batches.add(new ArrayList<>(b)));
    d.latest("status", "s1", seen::add);
    d.always(() -> seen.add("last"));
    ui.frame();
    assertEquals(List.of("first"), seen, "the budget was spent by the first update: the rest waits");
    assertEquals(1, d.deferrals());
    assertEquals(1, ui.tasks.size(), "one UI task scheduled for the rest");
    // Posted meanwhile: more points join the waiting batch, a newer status replaces the waiting one.
    d.append("points", 2, b -> batches.add(new ArrayList<>(b)));
    d.latest("status", "s2", seen::add);
    d.always(() -> seen.add("after"));
    assertEquals(1, ui.tasks.size(), "still one UI task");
    ui.frame();
    assertEquals(List.of("first", "s2", "last", "after"), seen);
    assertEquals(List.of(List.of(1, 2)), batches, "one batch, older points first");
  }

  @Test
  void updatesSpreadOverManyUiTasksKeepTheirOrder() {
    FrameExecutor ui = new FrameExecutor();
    CoalescingDispatcher d = new CoalescingDispatcher(ui);
    List<Integer> seen = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      int v = i;
      d.always(() -> {
        spin(v % 3 == 0 ? CoalescingDispatcher.FLUSH_BUDGET_MS / 3 : 0);
        seen.add(v);
      });
    }
    int frames = 0;
    while (!ui.tasks.isEmpty()) {
      ui.frame();
      frames++;
    }
    assertEquals(java.util.stream.IntStream.range(0, 20).boxed().toList(), seen);
    assertTrue(frames >= 2, "7 updates of a third of the budget need at least 2 UI tasks: " + frames);
    assertEquals(frames - 1, d.deferrals());
  }
}
