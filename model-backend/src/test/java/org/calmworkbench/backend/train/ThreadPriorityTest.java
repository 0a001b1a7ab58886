package org.calmworkbench.backend.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Platform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Lowering a thread's priority changes that thread only, and threads it starts inherit it (Linux). */
class ThreadPriorityTest {
  /** The nice value of task {@code tid} as the kernel reports it (/proc/self/task/TID/stat, field 19). */
  private static int niceOf(int tid) throws Exception {
    String stat = Files.readString(Path.of("/proc/self/task/" + tid + "/stat"));
    String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // fields from 3 on
    return Integer.parseInt(after[19 - 3]);
  }

  @Test
  void lowersOnlyTheCallingThreadAndItsChildrenInheritIt() throws Exception {
    assumeTrue(Platform.isLinux() && ThreadPriority.currentTid().isPresent(), "Linux only");
    int mainTid = ThreadPriority.currentTid().getAsInt();
    int before = niceOf(mainTid);
    AtomicReference<int[]> seen = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try {
        int self = ThreadPriority.currentTid().getAsInt();
        boolean ok = ThreadPriority.lowerCurrentThread(Math.max(before, 7));
        int[] child = new int[1];
        Thread c = new Thread(() -> {
          try {
            child[0] = niceOf(ThreadPriority.currentTid().getAsInt());
          } catch (Exception e) {
            failure.set(e);
          }
        });
        c.start();
        c.join();
        seen.set(new int[] {ok ? 1 : 0, niceOf(self), child[0], ThreadPriority.currentNice().getAsInt()});
      } catch (Throwable e) {
        failure.set(e);
      }
    });
    t.start();
    t.join();
    if (failure.get() != null) {
      throw new AssertionError(failure.get());
    }
    int[] r = seen.get();
    assertEquals(1, r[0]);
    assertEquals(Math.max(before, 7), r[1], "the thread itself");
    assertEquals(Math.max(before, 7), r[2], "a thread it started");
    assertEquals(r[1], r[3], "getpriority agrees with /proc");
    assertEquals(before, niceOf(mainTid), "the calling test thread is untouched");
    assertTrue(ThreadPriority.lowerCurrentThread(before), "asking for what it already has is fine");
  }

  @Test
  void rejectsValuesOutsideTheNiceRange() {
    assertThrows(IllegalArgumentException.class, () -> ThreadPriority.lowerCurrentThread(20));
    assertThrows(IllegalArgumentException.class, () -> ThreadPriority.lowerCurrentThread(-1));
  }

  @Test
  void lowersThreadsByTheirKernelName() throws Exception {
    assumeTrue(Platform.isLinux() && ThreadPriority.currentTid().isPresent(), "Linux only");
    int[] tid = new int[1];
    java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    Thread t = new Thread(() -> {
      tid[0] = ThreadPriority.currentTid().getAsInt();
      started.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "calm-nice-probe-thread"); // the kernel keeps the first 15 characters: "calm-nice-probe"
    t.start();
    started.await();
    try {
      int before = niceOf(tid[0]);
      int target = Math.max(before, 9);
      assertEquals(1, ThreadPriority.lowerThreadsNamed(target, "no-such-thread-", "calm-nice-probe"));
      assertEquals(target, niceOf(tid[0]));
      assertEquals(0, ThreadPriority.lowerThreadsNamed(target, "no-such-thread-"));
    } finally {
      release.countDown();
      t.join();
    }
  }
}
