package org.calmworkbench.app.gui.bench;

import org.calmworkbench.backend.io.AtomicFiles;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import javafx.animation.AnimationTimer;
import javafx.application.Platform;
import javafx.collections.ListChangeListener;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.calmworkbench.app.gui.WorkbenchApp;
import org.calmworkbench.app.gui.aetrain.AeTrainingPage;
import org.calmworkbench.app.gui.aetrain.AeTrainingViewModel;
import org.calmworkbench.app.gui.common.AppSettings;
import org.calmworkbench.app.gui.common.MetricPoint;
import org.calmworkbench.app.gui.pages.Pages;
import org.calmworkbench.app.gui.service.Job;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.bench.IntervalStats;
import org.calmworkbench.backend.bench.ProcessMemory;
import org.calmworkbench.backend.train.TrainingLoop;
import org.calmworkbench.backend.workflow.AeTraining;

/**
 * Measures the real workbench window (the same {@link WorkbenchApp#open} as {@code calm gui}, on
 * a copy of a project in a temporary folder):
 *
 * <ol>
 *   <li>Start-up: from JVM start (RuntimeMXBean) to the window's first pulse after it is shown,
 *       and whether the PyTorch native library is loaded by then (it should load lazily, with the
 *       first job that needs it).
 *   <li>Responsiveness: an autoencoder training job runs through the real {@code WorkbenchService}
 *       while the training page with its live charts is shown; an {@link AnimationTimer} (a pulse
 *       timer) records every FX pulse for a number of seconds. A stall of the FX thread shows as a
 *       long gap between pulses. Training steps/s in that window are compared with the same
 *       preset trained headless ({@link AeTraining#run}, no window work) right after.
 * </ol>
 *
 * Call from a non-FX thread; it starts the JavaFX toolkit ({@link Platform#startup}, once per JVM).
 */
public final class GuiResponsiveness {
  private GuiResponsiveness() {}

  /** A pulse gap longer than this is a stall the user notices. */
  public static final double STALL_MS = 50;

  /** The stall probe samples every this many ms ({@link StallProbe}). */
  public static final int PROBE_PERIOD_MS = StallProbe.PERIOD_MS;

  /** The stall probe takes the FX thread's stack when a pulse is this late. */
  public static final long PROBE_OVERDUE_MS = StallProbe.OVERDUE_NANOS / 1_000_000;

  /** Native library whose presence in the process shows that the PyTorch engine was loaded. */
  static final String ENGINE_LIBRARY = "libtorch";

  public record Options(Path project, String preset, double seconds, boolean startupOnly) {}

  /**
   * @param benchToToolkitMs from the command's start to the JavaFX toolkit running its first task
   * @param openMs building the window and opening the project ({@link WorkbenchApp#open}) on the FX thread
   */
  public record Startup(long jvmToFirstPulseMs, long benchToFirstPulseMs, long firstPulseEpochMs,
      Boolean engineLoadedAtFirstPulse, long jvmToBenchMs, long benchToToolkitMs, long openMs, long processCpuMs,
      long fxThreadCpuMs) {}

  /** CPU time of the whole process so far (all threads), or -1 where the JVM does not tell. */
  static long processCpuMs() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      long ns = os.getProcessCpuTime();
      return ns < 0 ? -1 : ns / 1_000_000;
    }
    return -1;
  }

  /** CPU time of the calling thread so far, or -1. */
  static long threadCpuMs() {
    java.lang.management.ThreadMXBean t = ManagementFactory.getThreadMXBean();
    return t.isCurrentThreadCpuTimeSupported() ? t.getCurrentThreadCpuTime() / 1_000_000 : -1;
  }

  /** Training speed over a window of time: steps done and the seconds they took. */
  public record Speed(long steps, double seconds) {
    public double perSecond() {
      return seconds > 0 ? steps / seconds : Double.NaN;
    }
  }

  /**
   * @param cpuByThread CPU milliseconds each Java thread used while the pulses were recorded, most first
   *     (native PyTorch worker threads are not Java threads: their time is in processCpuMs only)
   */
  public record Result(Startup startup, IntervalStats.Summary pulses, Speed guiTraining, Speed headlessTraining,
      Boolean engineLoadedAfterTraining, String preset, double seconds, java.util.Map<String, Long> cpuByThread,
      long processCpuMs, IntervalStats.Summary idlePulses, Attribution attribution) {}

  /**
   * What the FX and renderer threads did while training ({@link StallProbe}; null where it cannot
   * tell, e.g. not Linux): their run and run-queue wait time over the whole recording, and each
   * stall attributed.
   */
  public record Attribution(double fxRunMs, double fxWaitMs, double rendererRunMs, double rendererWaitMs,
      List<String> stalls, java.util.Map<String, Integer> overdueSamples) {}

  /** Pulse timestamps and the training step at the first and last of them. */
  record Recording(long[] stamps, int count, long startNanos, long startStep, long endNanos, long endStep) {}

  /** Records every FX pulse for {@code seconds} with an AnimationTimer (which also keeps pulses coming at the frame rate). */
  static Recording recordPulses(double seconds, java.util.function.LongSupplier step) throws Exception {
    return recordPulses(seconds, step, null);
  }

  /** {@link #recordPulses(double, java.util.function.LongSupplier)}, telling {@code probe} of every pulse. */
  static Recording recordPulses(double seconds, java.util.function.LongSupplier step, StallProbe probe) throws Exception {
    long[] stamps = new long[(int) Math.min(Integer.MAX_VALUE - 8, Math.ceil(seconds * 1000) + 64)];
    int[] count = {0};
    long[] window = new long[4]; // start nanos, start step, end nanos, end step
    CompletableFuture<Void> done = new CompletableFuture<>();
    long durationNanos = (long) (seconds * 1e9);
    AnimationTimer timer = new AnimationTimer() {
      @Override
      public void handle(long now) {
        if (count[0] == 0) {
          window[0] = now;
          window[1] = step.getAsLong();
        }
        if (count[0] < stamps.length) {
          stamps[count[0]++] = now;
        }
        if (probe != null) {
          probe.pulse(now);
        }
        if (now - window[0] >= durationNanos) {
          window[2] = now;
          window[3] = step.getAsLong();
          stop();
          done.complete(null);
        }
      }
    };
    fx(() -> {
      timer.start();
      return null;
    });
    get(done, (long) seconds + 120, "the pulse timer did not finish");
    return new Recording(stamps, count[0], window[0], window[1], window[2], window[3]);
  }

  /** CPU nanoseconds per live Java thread (by name; threads of the same name add up). */
  static java.util.Map<String, Long> threadCpuNanos() {
    java.lang.management.ThreadMXBean t = ManagementFactory.getThreadMXBean();
    java.util.Map<String, Long> out = new java.util.HashMap<>();
    for (java.lang.management.ThreadInfo info : t.getThreadInfo(t.getAllThreadIds())) {
      if (info != null) {
        long ns = t.getThreadCpuTime(info.getThreadId());
        if (ns > 0) {
          out.merge(info.getThreadName().replaceAll("-\\d+$", "-N"), ns, Long::sum);
        }
      }
    }
    return out;
  }

  /** {@code after - before} per thread in ms, largest first, threads under 10 ms left out. */
  static java.util.Map<String, Long> cpuDelta(java.util.Map<String, Long> before, java.util.Map<String, Long> after) {
    java.util.Map<String, Long> out = new java.util.LinkedHashMap<>();
    after.entrySet().stream()
        .map(e -> java.util.Map.entry(e.getKey(), (e.getValue() - before.getOrDefault(e.getKey(), 0L)) / 1_000_000))
        .filter(e -> e.getValue() >= 10)
        .sorted(java.util.Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  /** Runs the benchmark; {@code log} gets progress lines. */
  public static Result run(Options o, Consumer<String> log) throws Exception {
    long benchStartNanos = System.nanoTime();
    long benchStartMs = System.currentTimeMillis();
    long jvmStartMs = ManagementFactory.getRuntimeMXBean().getStartTime();
    Path work = Files.createTempDirectory("calm-bench-gui");
    try {
      Path project = copyProject(o.project(), work.resolve("project"));
      AppSettings settings = AppSettings.load(work.resolve("config").resolve(AppSettings.FILE_NAME));
      CompletableFuture<WorkbenchApp.Opened> opened = new CompletableFuture<>();
      CompletableFuture<Startup> firstPulse = new CompletableFuture<>();
      Platform.setImplicitExit(false);
      Platform.startup(() -> {
        try {
          long toolkitNanos = System.nanoTime();
          Stage stage = new Stage();
          WorkbenchApp.Opened w = WorkbenchApp.open(stage, settings, project.toString());
          Scene scene = stage.getScene();
          long openedNanos = System.nanoTime();
          Runnable[] once = new Runnable[1];
          once[0] = () -> {
            scene.removePostLayoutPulseListener(once[0]);
            long now = System.currentTimeMillis();
            firstPulse.complete(new Startup(now - jvmStartMs, (System.nanoTime() - benchStartNanos) / 1_000_000, now,
                ProcessMemory.nativeLibraryMapped(ENGINE_LIBRARY), benchStartMs - jvmStartMs,
                (toolkitNanos - benchStartNanos) / 1_000_000, (openedNanos - toolkitNanos) / 1_000_000, processCpuMs(),
                threadCpuMs()));
          };
          scene.addPostLayoutPulseListener(once[0]);
          opened.complete(w);
        } catch (Throwable t) {
          opened.completeExceptionally(t);
          firstPulse.completeExceptionally(t);
        }
      });
      WorkbenchApp.Opened w = get(opened, 60, "the window did not open");
      Startup startup = get(firstPulse, 60, "the window showed no pulse");
      log.accept(String.format(java.util.Locale.ROOT, "window's first pulse %d ms after JVM start; PyTorch loaded then: %s",
          startup.jvmToFirstPulseMs(), startup.engineLoadedAtFirstPulse()));
      try {
        if (o.startupOnly()) {
          return new Result(startup, null, null, null, null, o.preset(), 0, java.util.Map.of(), -1, null, null);
        }
        return measure(o, w, startup, work, log);
      } finally {
        fx(() -> {
          w.context().service().cancelAll();
          return null;
        });
        waitUntil(() -> fx(() -> w.context().service().unfinished().isEmpty()), 120, "training did not stop");
        fx(() -> {
          w.context().service().close();
          w.window().root().getScene().getWindow().hide();
          return null;
        });
        Platform.exit();
      }
    } finally {
      AtomicFiles.deleteTree(work);
    }
  }

  private static Result measure(Options o, WorkbenchApp.Opened w, Startup startup, Path work, Consumer<String> log)
      throws Exception {
    long[] lastStep = {0}; // FX thread
    AeTrainingViewModel vm = fx(() -> {
      w.window().select(Pages.AE_TRAINING);
      AeTrainingViewModel v = ((AeTrainingPage) w.window().page(Pages.AE_TRAINING)).viewModel();
      v.presetProperty().set(o.preset());
      v.field("steps").set(100_000_000);
      v.points().addListener((ListChangeListener<MetricPoint>) c -> {
        while (c.next()) {
          for (MetricPoint p : c.getAddedSubList()) {
            lastStep[0] = Math.max(lastStep[0], (long) p.x());
          }
        }
      });
      return v;
    });
    // The same window idle (no job running) on the same machine at the same time: gaps here come from
    // the machine (other processes, the display server), not from training.
    waitUntil(() -> fx(() -> w.context().service().unfinished().isEmpty()), 600, "the project statistics did not finish");
    double idleSeconds = Math.min(10, o.seconds());
    log.accept(String.format(java.util.Locale.ROOT, "recording FX pulses for %.0f s with the window idle", idleSeconds));
    Recording idleRec = recordPulses(idleSeconds, () -> 0);
    IntervalStats.Summary idle = IntervalStats.of(idleRec.stamps(), idleRec.count(), STALL_MS);
    Job job = fx(vm::train);
    if (job == null) {
      throw new CalmException("the training page did not start a run: " + fx(() -> vm.statusProperty().get()));
    }
    log.accept("training " + o.preset() + " through the workbench service; waiting for the first steps…");
    waitUntil(() -> fx(() -> lastStep[0] > 0 || job.state().isFinal()), 600, "training did not start within 10 minutes");
    if (fx(() -> job.state().isFinal())) {
      throw new CalmException("training ended before it could be measured: " + fx(() -> job.messageProperty().get()));
    }

    log.accept(String.format(java.util.Locale.ROOT, "recording FX pulses for %.0f s while training runs", o.seconds()));
    java.util.Map<String, Long> cpuBefore = threadCpuNanos();
    long processBefore = processCpuMs();
    StallProbe probe = StallProbe.start(fx(Thread::currentThread), o.seconds() + 5);
    Recording rec = recordPulses(o.seconds(), () -> lastStep[0], probe);
    java.util.Map<String, Long> cpu = cpuDelta(cpuBefore, threadCpuNanos());
    Attribution attribution = null;
    if (probe != null) {
      probe.close();
      double[] t = probe.totals();
      attribution = new Attribution(t[0], t[1], t[2], t[3],
          probe.stalls(rec.stamps(), rec.count(), STALL_MS).stream().map(StallProbe.Stall::describe).toList(),
          probe.overdueCategories());
    }
    long processCpu = processCpuMs() - processBefore;
    IntervalStats.Summary pulses = IntervalStats.of(rec.stamps(), rec.count(), STALL_MS);
    Speed gui = new Speed(rec.endStep() - rec.startStep(), (rec.endNanos() - rec.startNanos()) / 1e9);
    Boolean engineLoaded = ProcessMemory.nativeLibraryMapped(ENGINE_LIBRARY);

    log.accept("stopping the run (it saves a checkpoint), then the same preset headless for comparison");
    fx(() -> {
      vm.stop();
      return null;
    });
    waitUntil(() -> fx(() -> job.state().isFinal()), 120, "the training job did not stop");
    Speed headless = headless(o, fx(() -> w.context().project().corpusPaths()), work.resolve("headless"),
        fx(() -> vm.field("vocab_size").value().intValue()));
    return new Result(startup, pulses, gui, headless, engineLoaded, o.preset(), o.seconds(), cpu, processCpu, idle,
        attribution);
  }

  /** The same preset through the same entry point, without the window: steps over {@code seconds} after the first step. */
  static Speed headless(Options o, List<Path> corpus, Path out, int vocab) throws IOException, InterruptedException {
    List<double[]> marks = new ArrayList<>(); // (step, elapsed seconds)
    double[] stopAt = {Double.NaN};
    AeTraining.Options opts = new AeTraining.Options(corpus, out, null, vocab, o.preset(), List.of(),
        100_000_000, null, null, false);
    AeTraining.run(opts, new AeTraining.Listener() {
      @Override
      public void onProgress(TrainingLoop.Progress p) {
        synchronized (marks) {
          marks.add(new double[] {p.step(), p.elapsedSeconds()});
          if (Double.isNaN(stopAt[0])) {
            stopAt[0] = p.elapsedSeconds() + o.seconds();
          }
        }
      }
    }, () -> {
      synchronized (marks) {
        return !marks.isEmpty() && marks.get(marks.size() - 1)[1] >= stopAt[0];
      }
    });
    double[] first = marks.get(0);
    double[] last = marks.get(marks.size() - 1);
    return new Speed((long) (last[0] - first[0]), last[1] - first[1]);
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /** Copies the project's files but its runs/ folder, so the benchmark never writes into the original. */
  static Path copyProject(Path from, Path to) throws IOException {
    if (!Files.isRegularFile(from.resolve("project.json"))) {
      throw new CalmException(from + " is not a project folder (no project.json)");
    }
    AtomicFiles.copyTree(from, to, rel -> rel.equals(Path.of("runs")));
    return to;
  }

  static <T> T fx(Callable<T> c) throws Exception {
    if (Platform.isFxApplicationThread()) {
      return c.call();
    }
    CompletableFuture<T> f = new CompletableFuture<>();
    Platform.runLater(() -> {
      try {
        f.complete(c.call());
      } catch (Throwable t) {
        f.completeExceptionally(t);
      }
    });
    return get(f, 60, "the FX thread did not answer within 60 s");
  }

  private static <T> T get(CompletableFuture<T> f, long seconds, String what) throws Exception {
    try {
      return f.get(seconds, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new CalmException(what + " (waited " + seconds + " s)");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception ex ? ex : e;
    }
  }

  private static void waitUntil(Callable<Boolean> condition, long seconds, String what) throws Exception {
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    while (!condition.call()) {
      if (System.nanoTime() > end) {
        throw new CalmException(what + " (waited " + seconds + " s)");
      }
      Thread.sleep(100);
    }
  }

}
