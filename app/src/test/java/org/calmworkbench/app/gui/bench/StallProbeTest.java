package org.calmworkbench.app.gui.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stall probe tells a thread that ran through a gap from one that slept through it. */
class StallProbeTest {
  @Test
  void framesSkipJdkInternalsButTheTop() {
    StackTraceElement[] trace = {
        new StackTraceElement("java.lang.Thread", "sleep", null, 1),
        new StackTraceElement("java.util.concurrent.Foo", "bar", null, 1),
        new StackTraceElement("com.sun.javafx.tk.quantum.QuantumToolkit", "pulse", null, 1),
        new StackTraceElement("org.calmworkbench.app.X", "run", null, 1)};
    assertEquals("Thread.sleep <- QuantumToolkit.pulse <- X.run", StallProbe.frames(trace));
  }

  @Test
  void attributesAGapToRunningOrSleeping() throws Exception {
    Path self = Path.of("/proc/thread-self");
    assumeTrue(Files.isReadable(self.resolve("schedstat")), "needs Linux's /proc/thread-self/schedstat");
    Path task = self.toRealPath(); // this thread's own /proc/PID/task/TID
    StallProbe probe = StallProbe.start(Thread.currentThread(), task, task, 5);
    try {
      Thread.sleep(30); // the sampler's first samples
      long t0 = System.nanoTime();
      probe.pulse(t0);
      long spinUntil = t0 + 120_000_000L;
      long x = 0;
      while (System.nanoTime() < spinUntil) {
        x += System.nanoTime() % 7; // busy: a gap filled with work on this thread
      }
      long t1 = System.nanoTime();
      probe.pulse(t1);
      Thread.sleep(120); // idle: a gap this thread slept through
      long t2 = System.nanoTime();
      probe.pulse(t2);
      Thread.sleep(30);
      probe.close();
      List<StallProbe.Stall> stalls = probe.stalls(new long[] {t0, t1, t2}, 3, 50);
      assertEquals(2, stalls.size(), "x=" + x);
      StallProbe.Stall busy = stalls.get(0);
      StallProbe.Stall idle = stalls.get(1);
      // run + wait of the busy gap cover most of it; the idle gap has almost neither
      assertTrue(busy.fxRunMs() + busy.fxWaitMs() > 80, busy.describe());
      assertTrue(idle.fxRunMs() < 20, idle.describe());
      assertTrue(busy.fxStack().contains("StallProbeTest.attributesAGapToRunningOrSleeping"), busy.describe());
    } finally {
      probe.close();
    }
  }
}
