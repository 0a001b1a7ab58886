package org.calmworkbench.app.gui.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.calmworkbench.app.gui.service.CoalescingDispatcher;

/**
 * Watches the updates the service hands the FX thread ({@link CoalescingDispatcher#watchSlowUpdates}):
 * each one of {@code thresholdMs} or more is recorded with its wall and CPU time and, for those
 * long enough to be sampled, where the FX thread was: a sampler thread takes its stack every
 * {@value GapCauses#PERIOD_MS} ms once an update has run 20 ms, and the most seen innermost
 * workbench frame (with the innermost frame of all, often JavaFX's) names what the update spent
 * its time in. The FX thread's time waiting for a core (its schedstat) and the stop-the-world GC
 * time during the update are recorded too: wall time = CPU + waiting for a core + GC + the rest
 * (blocked, or descheduled in ways schedstat does not count).
 */
final class SlowUpdateProbe implements CoalescingDispatcher.SlowUpdates, AutoCloseable {
  /** One slow update: its wall and CPU time, and its line for the report. */
  private record Slow(double ms, double cpuMs, String line) {}

  private final Thread fx;
  private final long thresholdMs;
  private final List<Slow> slow = new ArrayList<>();
  private final Map<String, Integer> where = new LinkedHashMap<>(); // of the running update
  private volatile long runningSince; // 0: no update running
  private final java.nio.file.Path fxStat; // the FX thread's /proc schedstat; null when unreadable
  private long waitAtStart = -1; // ns the FX thread had waited for a core when the update began (FX thread)
  private long gcAtStart; // ms of GC when the update began (FX thread)
  private final Thread sampler;
  private volatile boolean closed;

  SlowUpdateProbe(Thread fx, long thresholdMs) {
    this.fx = fx;
    this.thresholdMs = thresholdMs;
    java.nio.file.Path task = StallProbe.task(org.calmworkbench.backend.train.ThreadPriority.threads(), "JavaFX Applicat");
    this.fxStat = task == null ? null : task.resolve("schedstat");
    sampler = new Thread(this::sample, "slow-update-sampler");
    sampler.setDaemon(true);
    sampler.start();
  }

  @Override
  public long thresholdMs() {
    return thresholdMs;
  }

  @Override
  public void running(boolean running) {
    if (running) {
      synchronized (where) {
        where.clear();
      }
      waitAtStart = waited();
      gcAtStart = gcMillis();
      runningSince = System.nanoTime();
    } else {
      runningSince = 0;
    }
  }

  /** ns the FX thread has waited for a core so far, -1 when unknown. */
  private long waited() {
    if (fxStat == null) {
      return -1;
    }
    try {
      return StallProbe.readSchedstat(fxStat)[1];
    } catch (java.io.IOException | RuntimeException e) {
      return -1;
    }
  }

  private static long gcMillis() {
    long sum = 0;
    for (java.lang.management.GarbageCollectorMXBean gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
      sum += Math.max(0, gc.getCollectionTime());
    }
    return sum;
  }

  @Override
  public void slow(String what, double ms, double cpuMs) {
    long w = waited(); // read here, right after the update, only for a slow one (/proc costs)
    String waitMs = w < 0 || waitAtStart < 0 ? "?" : String.format(Locale.ROOT, "%.0f", (w - waitAtStart) / 1e6);
    long gcMs = gcMillis() - gcAtStart;
    String top;
    synchronized (where) {
      top = where.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(2)
          .map(e -> e.getKey() + " x" + e.getValue()).reduce((a, b) -> a + "; " + b).orElse("not sampled");
    }
    synchronized (slow) {
      slow.add(new Slow(ms, cpuMs, String.format(Locale.ROOT, "%.0f ms (CPU %.0f ms, waiting for a core %s ms, GC %d ms) %s [%s]",
          ms, cpuMs, waitMs, gcMs, what, top)));
    }
  }

  /** The slow updates so far, one line each. */
  List<String> slowUpdates() {
    synchronized (slow) {
      return slow.stream().map(Slow::line).toList();
    }
  }

  /** Slow updates of at least {@code ms} of wall time, or of the FX thread's CPU time when {@code cpu}. */
  long count(double ms, boolean cpu) {
    synchronized (slow) {
      return slow.stream().filter(s -> (cpu ? s.cpuMs() : s.ms()) >= ms).count();
    }
  }

  private void sample() {
    while (!closed) {
      try {
        Thread.sleep(GapCauses.PERIOD_MS);
      } catch (InterruptedException e) {
        return;
      }
      long since = runningSince;
      if (since != 0 && System.nanoTime() - since >= 20_000_000L) {
        StackTraceElement[] trace = fx.getStackTrace();
        if (runningSince != since || trace.length == 0) {
          continue; // that update ended meanwhile
        }
        String key = GapCauses.innermostWorkbench(trace) + " in " + shortName(trace[0]);
        synchronized (where) {
          where.merge(key, 1, Integer::sum);
        }
      }
    }
  }

  private static String shortName(StackTraceElement e) {
    String c = e.getClassName();
    return c.substring(c.lastIndexOf('.') + 1) + "." + e.getMethodName();
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    sampler.join(1000);
  }
}
