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
 * its time in.
 */
final class SlowUpdateProbe implements CoalescingDispatcher.SlowUpdates, AutoCloseable {
  private final Thread fx;
  private final long thresholdMs;
  private final List<String> slow = new ArrayList<>();
  private final List<double[]> times = new ArrayList<>(); // {wall ms, CPU ms} of each slow update
  private final Map<String, Integer> where = new LinkedHashMap<>(); // of the running update
  private volatile long runningSince; // 0: no update running
  private final Thread sampler;
  private volatile boolean closed;

  SlowUpdateProbe(Thread fx, long thresholdMs) {
    this.fx = fx;
    this.thresholdMs = thresholdMs;
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
    }
    runningSince = running ? System.nanoTime() : 0;
  }

  @Override
  public void slow(String what, double ms, double cpuMs) {
    String top;
    synchronized (where) {
      top = where.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(2)
          .map(e -> e.getKey() + " x" + e.getValue()).reduce((a, b) -> a + "; " + b).orElse("not sampled");
    }
    synchronized (slow) {
      times.add(new double[] {ms, cpuMs});
      slow.add(String.format(Locale.ROOT, "%.0f ms (CPU %.0f ms) %s [%s]", ms, cpuMs, what, top));
    }
  }

  /** The slow updates so far, one line each. */
  List<String> slowUpdates() {
    synchronized (slow) {
      return List.copyOf(slow);
    }
  }

  /** Slow updates of at least {@code ms} of wall time, or of the FX thread's CPU time when {@code cpu}. */
  long count(double ms, boolean cpu) {
    synchronized (slow) {
      return times.stream().filter(t -> t[cpu ? 1 : 0] >= ms).count();
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
