package org.calmworkbench.app.gui.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import org.calmworkbench.backend.train.ThreadPriority;

/**
 * Says why each long gap between FX pulses happened, in bounded memory (for runs of an hour).
 *
 * <p>A sampler thread looks every {@link #PERIOD_MS} ms at how long ago the last pulse was. While
 * a pulse is overdue ({@link StallProbe#OVERDUE_NANOS}) it takes the FX thread's stack and thread
 * state and sorts it ({@link #stackCause}); at every pulse the FX thread's scheduler statistics
 * are read (Linux schedstat: time run, time waited for a CPU). GC pauses come from the
 * collectors' notifications. When the late pulse arrives, {@link #pulse} gives the gap one cause, first match:
 *
 * <ol>
 *   <li>{@code GC}: stop-the-world collections cover at least half of the gap ({@link #SYSTEM_GC}
 *       when they were mostly the full collections the session itself asks for to read the heap);
 *   <li>{@code CPU starvation}: the FX thread was ready to run but had no CPU for at least half
 *       of the gap (its schedstat wait time between the two pulses; other threads, PyTorch's or
 *       other processes', had the cores);
 *   <li>otherwise the most common of the gap's stack samples ({@link #stackCause}): {@code
 *       service} (the service's own code on the FX thread, or the FX thread blocked in workbench
 *       code: waiting on the engine thread), {@code workbench page code}, {@code chart
 *       (JFreeChart)}, {@code session driver} (this benchmark's own code), a JavaFX category (CSS, layout, scene sync, waiting for the renderer, event
 *       loop), or {@code unsampled} when the sampler itself did not run during the gap.
 * </ol>
 *
 * <p>Apart from the cause, it counts the gaps in which any sample showed the FX thread in the
 * service's code ({@link #serviceSeen}), an upper bound of the gaps the service had a hand in.
 */
final class GapCauses implements AutoCloseable {
  static final int PERIOD_MS = 5;
  static final String SERVICE = "service";
  static final String GC = "GC";
  static final String SYSTEM_GC = "GC (the session's own System.gc() for the heap reading)";
  static final String STARVATION = "CPU starvation";
  static final String PAGE_CODE = "workbench page code";

  /** One long gap, attributed. */
  record Gap(double atSeconds, double ms, String cause, double gcMs, double fxWaitMs, String stack) {
    String describe() {
      return String.format(Locale.ROOT, "%.0f ms at %.0f s: %s (GC %.0f ms, FX waited for a CPU %s)%s", ms, atSeconds, cause,
          gcMs, fxWaitMs < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f ms", fxWaitMs), stack.isEmpty() ? "" : "; FX: " + stack);
    }
  }

  private final Thread fx;
  private final Path fxStat; // null where there is no schedstat
  private final double thresholdMs;
  private final long startNanos = System.nanoTime();
  private final long jvmStartMs = ManagementFactory.getRuntimeMXBean().getStartTime();
  private final long jvmStartNanosOffset; // nanoTime at JVM start (approximately)
  private volatile long lastPulse = -1;
  private long[] lastStat; // FX thread: its schedstat at the last pulse
  private boolean marked; // FX thread: counting into the "after the mark" figures too
  private final Map<String, Integer> countsAfterMark = new TreeMap<>();
  private int serviceSeen; // gaps in which a sample showed the FX thread in the service's code
  private int serviceSeenAfterMark;
  // guarded by this: the samples of the current overdue stretch
  private final Map<String, Integer> stretch = new LinkedHashMap<>();
  private final Map<String, String> stretchStacks = new LinkedHashMap<>();
  private boolean stretchService;
  private final Map<String, Integer> stretchWhere = new LinkedHashMap<>(); // page code: innermost workbench frame
  private final Map<String, Integer> pageCodeWhere = new TreeMap<>(); // FX thread: gaps of page code by frame
  // guarded by gcs: recent GC pauses, [endNanos, durationNanos, 1 if System.gc()]
  private final List<long[]> gcs = new ArrayList<>();
  private final Map<String, Integer> counts = new TreeMap<>();
  private final Map<String, Double> worst = new TreeMap<>();
  private final Map<String, String> worstGap = new TreeMap<>(); // cause -> its longest gap, described
  private final List<Gap> longest = new ArrayList<>();
  private int gaps;
  private double maxMs;
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final NotificationListener gcListener = this::onGc;
  private volatile boolean running = true;
  private final Thread sampler;

  GapCauses(Thread fx, double thresholdMs) {
    this.fx = fx;
    this.thresholdMs = thresholdMs;
    Path task = StallProbe.task(ThreadPriority.threads(), "JavaFX Applicat");
    this.fxStat = task == null ? null : task.resolve("schedstat");
    this.jvmStartNanosOffset = System.nanoTime() - (System.currentTimeMillis() - jvmStartMs) * 1_000_000L;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter e) {
        e.addNotificationListener(gcListener, null, null);
        emitters.add(e);
      }
    }
    sampler = new Thread(this::sample, "calm-gap-causes");
    sampler.setDaemon(true);
    sampler.setPriority(Thread.MAX_PRIORITY);
    sampler.start();
  }

  private void onGc(Notification n, Object handback) {
    if (!n.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
      return;
    }
    GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
    if (info.getGcName().contains("Concurrent") || info.getGcAction().contains("concurrent")) {
      return; // concurrent cycles do not stop the FX thread
    }
    long end = jvmStartNanosOffset + info.getGcInfo().getEndTime() * 1_000_000L;
    long duration = info.getGcInfo().getDuration() * 1_000_000L;
    synchronized (gcs) {
      gcs.add(new long[] {end, duration, info.getGcCause().equals("System.gc()") ? 1 : 0});
      long old = System.nanoTime() - 60_000_000_000L;
      gcs.removeIf(g -> g[0] < old);
    }
  }

  private void sample() {
    while (running) {
      long last = lastPulse;
      long now = System.nanoTime();
      if (last >= 0 && now - last > StallProbe.OVERDUE_NANOS) {
        Thread.State state = fx.getState();
        StackTraceElement[] trace = fx.getStackTrace();
        String cause = stackCause(trace, state);
        String frames = StallProbe.frames(trace);
        synchronized (this) {
          if (lastPulse == last) { // still the same stretch
            stretch.merge(cause, 1, Integer::sum);
            stretchStacks.putIfAbsent(cause, frames);
            stretchService |= cause.equals(SERVICE);
            if (cause.equals(PAGE_CODE)) {
              stretchWhere.merge(innermostWorkbench(trace), 1, Integer::sum);
            }
          }
        }
      }
      try {
        Thread.sleep(PERIOD_MS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private long[] schedstat() {
    if (fxStat == null) {
      return null;
    }
    try {
      return StallProbe.readSchedstat(fxStat);
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * What one stack of the FX thread says, by the owner of its innermost frame outside the JDK:
   * {@link #SERVICE} for the workbench service's code ({@code org.calmworkbench.app.gui.service}),
   * or any workbench frame while the FX thread is blocked or waiting (on a lock or a future the
   * engine thread holds); {@link #PAGE_CODE} for other workbench code (pages, view models, the
   * backend code they call); {@code chart (JFreeChart)}; JavaFX by {@link StallProbe#category}
   * (CSS, layout, scene sync, waiting for the renderer, event loop), else {@code JavaFX other}.
   */
  static String stackCause(StackTraceElement[] trace, Thread.State state) {
    boolean waiting = state == Thread.State.BLOCKED || state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
    for (StackTraceElement e : trace) {
      String c = e.getClassName();
      if (c.startsWith("java.") || c.startsWith("jdk.") || c.startsWith("sun.") || c.startsWith("com.sun.management.")
          || c.startsWith("com.google.")) {
        continue; // the JDK's and libraries' (Gson) frames: their caller says whose work it is
      }
      if (c.startsWith("org.calmworkbench.app.gui.bench.")) {
        return "session driver";
      }
      if (c.startsWith("org.calmworkbench.app.gui.service.")) {
        return SERVICE;
      }
      if (c.startsWith("org.calmworkbench")) {
        return waiting ? SERVICE : PAGE_CODE;
      }
      if (c.startsWith("org.jfree.")) {
        return "chart (JFreeChart)";
      }
      if (c.startsWith("javafx.") || c.startsWith("com.sun.javafx.") || c.startsWith("com.sun.prism.")
          || c.startsWith("com.sun.glass.") || c.startsWith("com.sun.scenario.")) {
        String cat = StallProbe.category(trace);
        return cat.startsWith("other: ") || cat.startsWith("workbench code") || cat.equals("chart draw") ? "JavaFX other" : cat;
      }
      return "other: " + c;
    }
    return "other (JDK only)";
  }

  /** The pulse timer calls this on every pulse (FX thread). */
  void pulse(long now) {
    long last = lastPulse;
    Map<String, Integer> samples;
    Map<String, String> stacks;
    Map<String, Integer> where;
    boolean service;
    long[] s0 = lastStat;
    long[] s1 = schedstat();
    lastStat = s1;
    synchronized (this) {
      lastPulse = now;
      samples = new LinkedHashMap<>(stretch);
      stacks = new LinkedHashMap<>(stretchStacks);
      service = stretchService;
      where = new LinkedHashMap<>(stretchWhere);
      stretchWhere.clear();
      stretch.clear();
      stretchStacks.clear();
      stretchService = false;
    }
    if (last < 0) {
      return;
    }
    double ms = (now - last) / 1e6;
    maxMs = Math.max(maxMs, ms);
    if (ms <= thresholdMs) {
      return;
    }
    gaps++;
    double gcMs = 0;
    double systemGcMs = 0;
    synchronized (gcs) {
      for (long[] g : gcs) {
        long from = Math.max(g[0] - g[1], last);
        long to = Math.min(g[0], now);
        if (to > from) {
          gcMs += (to - from) / 1e6;
          systemGcMs += g[2] == 1 ? (to - from) / 1e6 : 0;
        }
      }
    }
    double fxWait = -1;
    if (s0 != null && s1 != null) {
      fxWait = (s1[1] - s0[1]) / 1e6; // ready to run but without a CPU, between the two pulses
    }
    String top = samples.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("");
    String cause;
    if (gcMs >= ms / 2) {
      cause = systemGcMs >= gcMs / 2 ? SYSTEM_GC : GC;
    } else if (fxWait >= ms / 2) {
      cause = STARVATION;
    } else if (top.isEmpty()) {
      cause = "unsampled (the sampler did not run during the gap)";
    } else {
      cause = top;
    }
    counts.merge(cause, 1, Integer::sum);
    if (cause.equals(PAGE_CODE)) {
      pageCodeWhere.merge(where.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("?"), 1,
          Integer::sum);
    }
    if (service) {
      serviceSeen++;
    }
    if (marked) {
      countsAfterMark.merge(cause, 1, Integer::sum);
      if (service) {
        serviceSeenAfterMark++;
      }
    }
    Gap g = new Gap((last - startNanos) / 1e9, ms, cause, gcMs, fxWait,
        (service && !cause.equals(SERVICE) ? "service code seen; " : "") + stacks.getOrDefault(top, ""));
    if (ms > worst.getOrDefault(cause, 0.0)) {
      worst.put(cause, ms);
      worstGap.put(cause, g.describe());
    }
    longest.add(g);
    longest.sort(Comparator.comparingDouble(Gap::ms).reversed());
    if (longest.size() > 10) {
      longest.remove(longest.size() - 1);
    }
  }

  int gaps() {
    return gaps;
  }

  double maxMs() {
    return maxMs;
  }

  /** From now on the gaps are also counted into {@link #counts(boolean) counts(true)} (FX thread). */
  void mark() {
    marked = true;
  }

  /** The innermost workbench frame of a stack, "Class.method". */
  static String innermostWorkbench(StackTraceElement[] trace) {
    for (StackTraceElement e : trace) {
      String c = e.getClassName();
      if (c.startsWith("org.calmworkbench")) {
        return c.substring(c.lastIndexOf('.') + 1) + "." + e.getMethodName();
      }
    }
    return "?";
  }

  /** The gaps caused by {@link #PAGE_CODE}, by the innermost workbench frame most seen in each, most first (FX thread). */
  Map<String, Integer> pageCodeWhere() {
    Map<String, Integer> out = new LinkedHashMap<>();
    pageCodeWhere.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  /** Gaps in which at least one sample showed the FX thread in the service's code, whatever their cause. */
  int serviceSeen(boolean afterMark) {
    return afterMark ? serviceSeenAfterMark : serviceSeen;
  }

  /** Gaps over the threshold by cause, most first; since {@link #mark} or all (FX thread). */
  Map<String, Integer> counts(boolean afterMark) {
    Map<String, Integer> out = new LinkedHashMap<>();
    (afterMark ? countsAfterMark : counts).entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  /** The longest gap of each cause, ms. */
  Map<String, Double> worst() {
    return new TreeMap<>(worst);
  }

  /** The longest gap of each cause, described with its FX stack (FX thread). */
  Map<String, String> worstGaps() {
    return new TreeMap<>(worstGap);
  }

  /** The longest gaps, longest first (at most 10). */
  List<Gap> longest() {
    return List.copyOf(longest);
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    for (NotificationEmitter e : emitters) {
      try {
        e.removeNotificationListener(gcListener);
      } catch (javax.management.ListenerNotFoundException ignored) {
        // already gone
      }
    }
    sampler.join(1000);
  }
}
