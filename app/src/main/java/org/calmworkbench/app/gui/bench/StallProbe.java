package org.calmworkbench.app.gui.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.calmworkbench.backend.train.ThreadPriority;

/**
 * Says what the FX thread was doing during a long gap between pulses (Linux only).
 *
 * <p>A sampler thread reads, every {@link #PERIOD_MS} ms, the scheduler statistics of the FX
 * thread and of the renderer thread ({@code /proc/self/task/TID/schedstat}: nanoseconds run on a
 * CPU, nanoseconds waited runnable on a run queue), and, while a pulse is overdue, the FX thread's
 * Java stack. For each gap it then reports how long each thread ran and how long it was ready but
 * had no CPU. A gap where the FX thread mostly <em>waited for a CPU</em> is starvation (other
 * threads, e.g. PyTorch's, had the cores); one where it mostly <em>ran</em> is work on the FX
 * thread (its stack names it); one where it did neither was the FX thread idle, waiting for the
 * renderer or for the next pulse.
 */
final class StallProbe implements AutoCloseable {
  static final int PERIOD_MS = 5;
  /** A pulse this late makes the sampler take the FX thread's stack. */
  static final long OVERDUE_NANOS = 30_000_000L;

  /** One gap, attributed. Times in ms; -1 where not known. */
  record Stall(double atSeconds, double gapMs, double fxRunMs, double fxWaitMs, double rendererRunMs,
      double rendererWaitMs, String fxStack) {
    String describe() {
      return String.format(Locale.ROOT,
          "at %.1f s, %.1f ms: FX thread ran %.1f, waited for a CPU %.1f; renderer ran %.1f, waited %.1f%s",
          atSeconds, gapMs, fxRunMs, fxWaitMs, rendererRunMs, rendererWaitMs, fxStack.isEmpty() ? "" : "; FX: " + fxStack);
    }
  }

  private final Thread fx;
  private final Path fxStat;
  private final Path rendererStat;
  private final AtomicLong lastPulse = new AtomicLong(System.nanoTime());
  private final int capacity;
  private final long[] time;
  private final long[][] stat; // [sample] -> fxRun, fxWait, rendererRun, rendererWait
  private final String[] stack;
  private final Map<String, Integer> overdueCategories = new HashMap<>();
  private int count;
  private volatile boolean running = true;
  private final Thread sampler;

  private StallProbe(Thread fx, Path fxStat, Path rendererStat, double seconds) {
    this.fx = fx;
    this.fxStat = fxStat;
    this.rendererStat = rendererStat;
    this.capacity = (int) Math.ceil(seconds * 1000 / PERIOD_MS) + 1000;
    this.time = new long[capacity];
    this.stat = new long[capacity][];
    this.stack = new String[capacity];
    this.sampler = new Thread(this::sample, "calm-stall-probe");
    sampler.setDaemon(true);
    sampler.setPriority(Thread.MAX_PRIORITY);
  }

  /**
   * Starts sampling for about {@code seconds}; {@code fx} is the FX application thread. Returns
   * null where the scheduler statistics cannot be read (not Linux, or no schedstat).
   */
  static StallProbe start(Thread fx, double seconds) {
    Map<Path, String> threads = ThreadPriority.threads();
    Path fxTask = task(threads, "JavaFX Applicat"); // comm is cut to 15 characters
    Path renderer = task(threads, "QuantumRenderer");
    if (fxTask == null || renderer == null) {
      return null;
    }
    return start(fx, fxTask, renderer, seconds);
  }

  /** Samples {@code thread}, whose task folder is {@code threadTask}, and the task {@code rendererTask}. */
  static StallProbe start(Thread thread, Path threadTask, Path rendererTask, double seconds) {
    StallProbe p = new StallProbe(thread, threadTask.resolve("schedstat"), rendererTask.resolve("schedstat"), seconds);
    p.sampler.start();
    return p;
  }

  /** The pulse timer calls this on every pulse (FX thread). */
  void pulse(long now) {
    lastPulse.set(now);
  }

  /** The task folder of the first thread in {@code threads} whose name starts with {@code comm} and has a schedstat, or null. */
  static Path task(Map<Path, String> threads, String comm) {
    for (Map.Entry<Path, String> t : threads.entrySet()) {
      if (t.getValue().startsWith(comm) && Files.isReadable(t.getKey().resolve("schedstat"))) {
        return t.getKey();
      }
    }
    return null;
  }

  /** run ns, wait ns of one schedstat file ("run wait slices"). */
  static long[] readSchedstat(Path file) throws IOException {
    String[] f = Files.readString(file).trim().split("\\s+");
    return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])};
  }

  private void sample() {
    while (running && count < capacity) {
      long now = System.nanoTime();
      try {
        long[] a = readSchedstat(fxStat);
        long[] b = readSchedstat(rendererStat);
        String st = "";
        if (now - lastPulse.get() > OVERDUE_NANOS) {
          StackTraceElement[] trace = fx.getStackTrace();
          st = frames(trace);
          synchronized (overdueCategories) {
            overdueCategories.merge(category(trace), 1, Integer::sum);
          }
        }
        time[count] = now;
        stat[count] = new long[] {a[0], a[1], b[0], b[1]};
        stack[count] = st;
        count++;
      } catch (IOException | RuntimeException e) {
        return; // a thread ended: stop sampling
      }
      try {
        Thread.sleep(PERIOD_MS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** What a stack of the FX thread shows it doing, in a few words. */
  static String category(StackTraceElement[] trace) {
    for (StackTraceElement e : trace) {
      String c = e.getClassName();
      String m = e.getMethodName();
      if (c.startsWith("org.jfree.chart.JFreeChart") && m.equals("draw")) {
        return "chart draw";
      }
      if (m.equals("waitForRenderingToComplete")) {
        return "waiting for the renderer";
      }
      if (c.contains("CssEngine") || c.contains("StyleManager") || m.equals("applyCss") || m.equals("processCSS")) {
        return "CSS";
      }
      if (m.equals("layout") && c.equals("javafx.scene.Parent") || m.equals("layoutChildren")) {
        return "layout";
      }
      if (m.equals("synchronizeSceneNodes") || m.equals("syncPGNode")) {
        return "scene sync";
      }
      if (c.startsWith("org.calmworkbench")) {
        return "workbench code: " + c.substring(c.lastIndexOf('.') + 1) + "." + m;
      }
    }
    if (trace.length > 0 && trace[0].getMethodName().equals("_runLoop")) {
      return "event loop (idle or between tasks)";
    }
    return "other: " + frames(trace);
  }

  /** The top frames of a stack, skipping JDK internals, as "Class.method <- Class.method <- …". */
  static String frames(StackTraceElement[] trace) {
    List<String> out = new ArrayList<>();
    for (StackTraceElement e : trace) {
      String c = e.getClassName();
      if (c.startsWith("java.") || c.startsWith("jdk.") || c.startsWith("sun.")) {
        if (out.isEmpty()) {
          out.add(c.substring(c.lastIndexOf('.') + 1) + "." + e.getMethodName());
        }
        continue;
      }
      out.add(c.substring(c.lastIndexOf('.') + 1) + "." + e.getMethodName());
      if (out.size() == 4) {
        break;
      }
    }
    return String.join(" <- ", out);
  }

  /** The gaps longer than {@code thresholdMs} between consecutive pulse stamps, attributed. */
  List<Stall> stalls(long[] stamps, int n, double thresholdMs) {
    List<Stall> out = new ArrayList<>();
    for (int i = 1; i < n; i++) {
      double gap = (stamps[i] - stamps[i - 1]) / 1e6;
      if (gap > thresholdMs) {
        out.add(attribute((stamps[i - 1] - stamps[0]) / 1e9, stamps[i - 1], stamps[i], gap));
      }
    }
    return out;
  }

  private Stall attribute(double at, long from, long to, double gapMs) {
    int a = -1;
    int b = -1;
    for (int i = 0; i < count; i++) {
      if (time[i] <= from) {
        a = i;
      }
      if (time[i] >= to && b < 0) {
        b = i;
      }
    }
    if (a < 0 || b < 0) {
      return new Stall(at, gapMs, -1, -1, -1, -1, "");
    }
    Map<String, Integer> stacks = new HashMap<>();
    for (int i = a; i <= b; i++) {
      if (stack[i] != null && !stack[i].isEmpty()) {
        stacks.merge(stack[i], 1, Integer::sum);
      }
    }
    String common = stacks.entrySet().stream().max(Map.Entry.comparingByValue())
        .map(e -> e.getKey() + " (" + e.getValue() + " of " + stacks.values().stream().mapToInt(Integer::intValue).sum()
            + " samples)").orElse("");
    long[] s = stat[a];
    long[] e = stat[b];
    return new Stall(at, gapMs, (e[0] - s[0]) / 1e6, (e[1] - s[1]) / 1e6, (e[2] - s[2]) / 1e6, (e[3] - s[3]) / 1e6, common);
  }

  /** What the FX thread was doing whenever a pulse was overdue: category -> samples, most first. */
  Map<String, Integer> overdueCategories() {
    synchronized (overdueCategories) {
      Map<String, Integer> out = new java.util.LinkedHashMap<>();
      overdueCategories.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
          .forEach(e -> out.put(e.getKey(), e.getValue()));
      return out;
    }
  }

  /** Over the whole recording: FX run ms, FX wait ms, renderer run ms, renderer wait ms. */
  double[] totals() {
    if (count < 2) {
      return new double[] {-1, -1, -1, -1};
    }
    long[] s = stat[0];
    long[] e = stat[count - 1];
    return new double[] {(e[0] - s[0]) / 1e6, (e[1] - s[1]) / 1e6, (e[2] - s[2]) / 1e6, (e[3] - s[3]) / 1e6};
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    sampler.join(1000);
  }
}
