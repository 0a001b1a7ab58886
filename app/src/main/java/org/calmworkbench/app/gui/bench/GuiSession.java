package org.calmworkbench.app.gui.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import javafx.animation.AnimationTimer;
import javafx.application.Platform;
import javafx.stage.Stage;
import org.calmworkbench.app.gui.MainWindow;
import org.calmworkbench.app.gui.WorkbenchApp;
import org.calmworkbench.app.gui.aetrain.AeTrainingPage;
import org.calmworkbench.app.gui.aetrain.AeTrainingViewModel;
import org.calmworkbench.app.gui.common.AppSettings;
import org.calmworkbench.app.gui.pages.PageSpec;
import org.calmworkbench.app.gui.pages.Pages;
import org.calmworkbench.app.gui.project.ProjectPage;
import org.calmworkbench.app.gui.service.Job;
import org.calmworkbench.app.gui.service.JobState;
import org.calmworkbench.app.gui.service.WorkbenchService;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.bench.ProcessMemory;
import org.calmworkbench.backend.io.AtomicFiles;

/**
 * A long GUI session (issue 13, goal 5): the real main window goes through N cycles of open the
 * project, train a tiny autoencoder through the workbench service, pause, resume, stop (it saves
 * a checkpoint), then show every page in turn, each page's work finished before the next. After
 * every cycle: the Java heap's floor after full GCs (the least of 4 readings 250 ms apart), the process RSS and the live NDArrays. Throughout:
 * every FX pulse (an {@link AnimationTimer}), so a stall of the FX thread shows as a long gap.
 *
 * <p>{@link #cycles} drives a window that is already open (the TestFX test's); {@link #main}
 * opens one as {@code calm gui} does (scripts/gui-session.sh runs it under Xvfb).
 */
public final class GuiSession {
  private GuiSession() {}

  /** A pulse gap longer than this is a stall the user notices. */
  public static final double STALL_MS = GuiResponsiveness.STALL_MS;

  /** What one cycle left behind: memory after it, and how it went. */
  public record Cycle(int n, long heapBytes, long rssBytes, int liveNdArrays, long trainedSteps, JobState jobState,
      double seconds) {}

  /**
   * @param stallsOverMs pulse gaps over {@link #STALL_MS}, longest first (at most 10)
   */
  public record Result(List<Cycle> cycles, int pulses, double maxGapMs, int stalls, List<Double> stallsOverMs,
      double seconds) {
    /** Relative growth of {@code heap} (or RSS) from the cycle {@code from} (1-based) to the last. */
    public double growth(int from, boolean heap) {
      Cycle a = cycles.get(from - 1);
      Cycle b = cycles.get(cycles.size() - 1);
      return heap ? (double) b.heapBytes() / a.heapBytes() - 1 : (double) b.rssBytes() / a.rssBytes() - 1;
    }
  }

  /**
   * Runs {@code n} cycles on {@code window} (open, with its service) over the project in {@code
   * project}. Call from a thread other than the FX thread.
   */
  public static Result cycles(MainWindow window, WorkbenchService service, Path project, int n, Consumer<String> log)
      throws Exception {
    PulseGaps gaps = new PulseGaps();
    GuiResponsiveness.fx(() -> {
      gaps.start();
      return null;
    });
    long start = System.nanoTime();
    List<Cycle> cycles = new ArrayList<>();
    try {
      for (int i = 1; i <= n; i++) {
        long t0 = System.nanoTime();
        Job job = cycle(window, service, project);
        long steps = GuiResponsiveness.fx(() -> (long) ((AeTrainingPage) window.page(Pages.AE_TRAINING)).viewModel()
            .points().stream().mapToDouble(p -> p.x()).max().orElse(0));
        Cycle c = new Cycle(i, ProcessMemory.heapFloorAfterGc(4, 250), ProcessMemory.rssBytes(), ProcessMemory.liveNdArrays(),
            steps, GuiResponsiveness.fx(job::state), (System.nanoTime() - t0) / 1e9);
        cycles.add(c);
        log.accept(String.format(Locale.ROOT, "cycle %d: %s after %d steps, heap %.1f MB, RSS %.1f MB, %d NDArrays, %.1f s",
            i, c.jobState().name().toLowerCase(Locale.ROOT), c.trainedSteps(), c.heapBytes() / 1e6, c.rssBytes() / 1e6,
            c.liveNdArrays(), c.seconds()));
      }
    } finally {
      GuiResponsiveness.fx(() -> {
        gaps.stop();
        return null;
      });
    }
    return new Result(cycles, gaps.pulses, gaps.maxMs, gaps.over.size(),
        gaps.over.stream().sorted(java.util.Comparator.reverseOrder()).limit(10).toList(),
        (System.nanoTime() - start) / 1e9);
  }

  /** One cycle; returns the training job, finished. */
  private static Job cycle(MainWindow window, WorkbenchService service, Path project) throws Exception {
    GuiResponsiveness.fx(() -> {
      window.select(Pages.PROJECT);
      if (!((ProjectPage) window.page(Pages.PROJECT)).viewModel().open(project)) {
        throw new CalmException("the project did not open: " + project);
      }
      return null;
    });
    idle(service);
    AeTrainingViewModel vm = GuiResponsiveness.fx(() -> {
      window.select(Pages.AE_TRAINING);
      AeTrainingViewModel v = ((AeTrainingPage) window.page(Pages.AE_TRAINING)).viewModel();
      v.presetProperty().set("tiny");
      v.field("steps").set(100_000_000);
      return v;
    });
    Job job = GuiResponsiveness.fx(vm::train);
    if (job == null) {
      throw new CalmException("the training page did not start a run: " + GuiResponsiveness.fx(() -> vm.statusProperty().get()));
    }
    until(() -> !vm.points().isEmpty() || job.state().isFinal(), "training did not start");
    GuiResponsiveness.fx(() -> {
      vm.pause();
      return null;
    });
    until(() -> job.state() == JobState.PAUSED || job.state().isFinal(), "training did not pause");
    GuiResponsiveness.fx(() -> {
      vm.resume();
      vm.stop();
      return null;
    });
    until(() -> job.state().isFinal(), "training did not stop");
    if (job.state() == JobState.FAILED) {
      throw new CalmException("training failed: " + GuiResponsiveness.fx(() -> job.messageProperty().get()));
    }
    for (PageSpec page : Pages.ALL) {
      GuiResponsiveness.fx(() -> {
        window.select(page.title());
        return null;
      });
      idle(service);
    }
    return job;
  }

  private static void idle(WorkbenchService service) throws Exception {
    until(() -> service.unfinished().isEmpty(), "the page's jobs did not finish");
  }

  private static void until(java.util.concurrent.Callable<Boolean> condition, String what) throws Exception {
    long end = System.nanoTime() + 300_000_000_000L;
    while (!GuiResponsiveness.fx(condition)) {
      if (System.nanoTime() > end) {
        throw new CalmException(what + " within 300 s");
      }
      Thread.sleep(20);
    }
  }

  /** Every FX pulse for as long as it runs: how many, the longest gap, the gaps over {@link #STALL_MS}. */
  private static final class PulseGaps extends AnimationTimer {
    int pulses;
    double maxMs;
    final List<Double> over = new ArrayList<>();
    private long last = -1;

    @Override
    public void handle(long now) {
      if (last >= 0) {
        double ms = (now - last) / 1e6;
        maxMs = Math.max(maxMs, ms);
        if (ms > STALL_MS) {
          over.add(ms);
        }
      }
      last = now;
      pulses++;
    }
  }

  /**
   * {@code GuiSession PROJECT CYCLES}: opens the window as {@code calm gui} does on a copy of
   * PROJECT (its runs/ left out) in a temporary folder, runs the cycles and prints the figures.
   */
  public static void main(String[] args) throws Exception {
    Path source = Path.of(args.length > 0 ? args[0] : "sample-projects/grammar-english");
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    Path work = Files.createTempDirectory("calm-gui-session");
    int code = 0;
    try {
      Path project = GuiResponsiveness.copyProject(source, work.resolve("project"));
      AppSettings settings = AppSettings.load(work.resolve("config").resolve(AppSettings.FILE_NAME));
      CompletableFuture<WorkbenchApp.Opened> opened = new CompletableFuture<>();
      Platform.setImplicitExit(false);
      Platform.startup(() -> {
        try {
          opened.complete(WorkbenchApp.open(new Stage(), settings, project.toString()));
        } catch (Throwable t) {
          opened.completeExceptionally(t);
        }
      });
      WorkbenchApp.Opened w = opened.get(600, java.util.concurrent.TimeUnit.SECONDS); // minutes on a loaded machine
      try {
        Result r = cycles(w.window(), w.service(), project, n, System.out::println);
        int warm = Math.max(1, n / 10);
        System.out.printf(Locale.ROOT, "gui-session: %d cycles in %.0f s, %d stopped cleanly (cancelled); heap %+.1f%% and RSS %+.1f%% from cycle %d"
                + " to %d (%+.1f%% and %+.1f%% from cycle 1); live NDArrays %d after cycle 1, %d after cycle %d;"
                + " FX pulses %d, longest gap %.0f ms, %d gaps over %.0f ms (longest: %s)%n",
            n, r.seconds(), r.cycles().stream().filter(c -> c.jobState() == JobState.CANCELLED).count(),
            100 * r.growth(warm, true), 100 * r.growth(warm, false), warm, n, 100 * r.growth(1, true),
            100 * r.growth(1, false), r.cycles().get(0).liveNdArrays(), r.cycles().get(n - 1).liveNdArrays(), n,
            r.pulses(), r.maxGapMs(), r.stalls(), STALL_MS,
            r.stallsOverMs().stream().map(ms -> String.format(Locale.ROOT, "%.0f", ms)).toList());
      } finally {
        GuiResponsiveness.fx(() -> {
          w.service().cancelAll();
          return null;
        });
        until(() -> w.service().unfinished().isEmpty(), "the jobs did not stop");
        GuiResponsiveness.fx(() -> {
          w.service().close();
          return null;
        });
        Platform.exit();
      }
    } catch (Exception e) {
      System.err.println("error: " + (e instanceof CalmException ? e.getMessage() : e));
      if (!(e instanceof CalmException)) {
        e.printStackTrace();
      }
      code = 1;
    } finally {
      AtomicFiles.deleteTree(work);
    }
    System.exit(code);
  }
}
