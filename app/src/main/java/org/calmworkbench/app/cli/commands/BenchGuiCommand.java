package org.calmworkbench.app.cli.commands;

import java.awt.GraphicsEnvironment;
import java.nio.file.Path;
import java.util.Locale;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.app.gui.StartupProject;
import org.calmworkbench.app.gui.bench.GuiResponsiveness;
import org.calmworkbench.app.gui.common.AppSettings;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.bench.IntervalStats;
import picocli.CommandLine.Option;

/** {@code calm bench gui}: window start-up time and FX-thread stalls while training runs. */
public final class BenchGuiCommand implements Command {
  @Option(names = "--project", paramLabel = "DIR", description = "project to copy and train on (default: the bundled sample)")
  String projectFolder;
  @Option(names = "--preset", paramLabel = "NAME", description = "autoencoder preset to train")
  String preset = "tiny";
  @Option(names = "--seconds", paramLabel = "S", description = "how long to record pulses, and to train headless")
  Double secondsOption = 30.0;
  @Option(names = "--startup-only", description = "only measure start-up, then close")
  boolean startupOnly;

  /** Goals from the workbench issue. */
  public static final double STARTUP_GOAL_MS = 3000;

  @Override
  public String name() {
    return "bench gui";
  }

  @Override
  public String summary() {
    return "measure the window's start-up time and FX-thread stalls (pulse gaps) while training runs";
  }

  @Override
  public String description() {
    return summary() + """


        Opens the real workbench window on a temporary copy of the project (default: the bundled
        sample), then:
          1. start-up: JVM start to the window's first pulse after it is shown (goal: within 3 s), and
             whether the PyTorch engine is already loaded then (it should load with the first job);
          2. starts an autoencoder training run from the training page (its live charts shown) and
             records every JavaFX pulse with a pulse timer for --seconds: max, p99 and median gap, and
             the gaps over 50 ms (goal: none), with training steps/s meanwhile;
          3. trains the same preset headless for as long, for the steps/s it reaches without a window.
        Needs a display; on a server: xvfb-run -a ./calm bench gui.""";
  }


  @Override
  public int run(CliContext ctx) throws Exception {
    String reason = GuiCommand.noDisplayReason(System.getenv(), System.getProperty("os.name", ""),
        GraphicsEnvironment.isHeadless());
    if (reason != null) {
      throw new CalmException(reason + ", so the window cannot be measured; on a server run: xvfb-run -a ./calm bench gui");
    }
    double seconds = secondsOption;
    if (!(seconds >= 1 && seconds <= 3600)) {
      throw new CalmException("--seconds must be between 1 and 3600, got " + seconds);
    }
    // The last project is not used: a benchmark opens the same project on every machine.
    Path noSettings = java.nio.file.Files.createTempDirectory("calm-bench-settings");
    StartupProject.Resolution project;
    try {
      AppSettings none = AppSettings.load(noSettings.resolve(AppSettings.FILE_NAME));
      project = StartupProject.resolve(projectFolder, none,
          Path.of("").toAbsolutePath(), System.getProperty("calm.home"));
    } finally {
      java.nio.file.Files.deleteIfExists(noSettings.resolve(AppSettings.FILE_NAME));
      java.nio.file.Files.deleteIfExists(noSettings);
    }
    if (project.folder() == null) {
      throw new CalmException(project.how());
    }
    ctx.log("project: " + project.folder() + " (" + project.how() + "), copied to a temporary folder");
    org.calmworkbench.app.gui.WorkbenchLauncher.reserveACoreForTheUi(); // as the window itself does
    GuiResponsiveness.Result r = GuiResponsiveness.run(
        new GuiResponsiveness.Options(project.folder(), preset, seconds, startupOnly), ctx::log);

    GuiResponsiveness.Startup s = r.startup();
    ctx.out().printf(Locale.ROOT, "start-up: first pulse of the shown window %d ms after JVM start (goal <= %.0f ms: %s)%n",
        s.jvmToFirstPulseMs(), STARTUP_GOAL_MS, s.jvmToFirstPulseMs() <= STARTUP_GOAL_MS ? "met" : "NOT met");
    ctx.out().printf(Locale.ROOT, "          JVM start to the command %d ms; command to JavaFX toolkit up %d ms; building the window and"
        + " opening the project %d ms; then to the first pulse %d ms%n", s.jvmToBenchMs(), s.benchToToolkitMs(), s.openMs(),
        s.benchToFirstPulseMs() - s.benchToToolkitMs() - s.openMs());
    ctx.out().printf(Locale.ROOT, "          CPU used by then: %d ms by the whole process (all threads), %d ms by the FX thread"
        + " (what a busy machine cannot speed up: compare with the wall time)%n", s.processCpuMs(), s.fxThreadCpuMs());
    ctx.out().printf(Locale.ROOT, "          PyTorch engine loaded at that moment: %s%n", yesNo(s.engineLoadedAtFirstPulse()));
    ctx.put("jvm_to_first_pulse_ms", s.jvmToFirstPulseMs());
    ctx.put("command_to_first_pulse_ms", s.benchToFirstPulseMs());
    ctx.put("jvm_to_command_ms", s.jvmToBenchMs());
    ctx.put("command_to_toolkit_ms", s.benchToToolkitMs());
    ctx.put("open_window_ms", s.openMs());
    ctx.put("process_cpu_ms_at_first_pulse", s.processCpuMs());
    ctx.put("fx_thread_cpu_ms_at_first_pulse", s.fxThreadCpuMs());
    ctx.put("first_pulse_epoch_ms", s.firstPulseEpochMs());
    ctx.put("engine_loaded_at_first_pulse", s.engineLoadedAtFirstPulse());
    ctx.put("startup_goal_met", s.jvmToFirstPulseMs() <= STARTUP_GOAL_MS);
    ctx.put("glass_platform", System.getProperty("glass.platform", "default"));
    ctx.reportDevice(); // after the start-up figures: resolving the device loads the engine
    if (r.pulses() == null) {
      return 0;
    }
    IntervalStats.Summary p = r.pulses();
    ctx.out().printf(Locale.ROOT, "FX pulses over %.0f s while training %s: %d gaps%n", r.seconds(), r.preset(), p.gaps());
    ctx.out().printf(Locale.ROOT, "  max %.1f ms, p99 %.1f ms, p50 %.1f ms, mean %.1f ms%n", p.maxMs(), p.p99Ms(), p.p50Ms(),
        p.meanMs());
    ctx.out().printf(Locale.ROOT, "  gaps > %.0f ms: %d (goal: 0, %s)%n", p.thresholdMs(), p.overThreshold(),
        p.overThreshold() == 0 ? "met" : "NOT met");
    GuiResponsiveness.Attribution a = r.attribution();
    if (a != null) {
      ctx.out().printf(Locale.ROOT, "  FX thread ran %.0f ms and waited runnable for a CPU %.0f ms; renderer ran %.0f ms, waited %.0f ms%n",
          a.fxRunMs(), a.fxWaitMs(), a.rendererRunMs(), a.rendererWaitMs());
      for (String stall : a.stalls()) {
        ctx.out().println("  stall " + stall);
      }
      if (!a.overdueSamples().isEmpty()) {
        ctx.out().println("  the FX thread whenever a pulse was over " + GuiResponsiveness.PROBE_OVERDUE_MS + " ms late (samples every "
            + GuiResponsiveness.PROBE_PERIOD_MS + " ms): " + a.overdueSamples());
      }
      ctx.put("overdue_fx_samples", a.overdueSamples());
      ctx.put("fx_run_ms", a.fxRunMs());
      ctx.put("fx_runqueue_wait_ms", a.fxWaitMs());
      ctx.put("renderer_run_ms", a.rendererRunMs());
      ctx.put("renderer_runqueue_wait_ms", a.rendererWaitMs());
      com.google.gson.JsonArray stalls = new com.google.gson.JsonArray();
      a.stalls().forEach(stalls::add);
      ctx.put("stall_attribution", stalls);
    } else {
      ctx.out().println("  (stall attribution needs Linux's /proc/self/task/*/schedstat; not available here)");
    }
    IntervalStats.Summary idle = r.idlePulses();
    ctx.out().printf(Locale.ROOT, "  same window idle, just before (%d gaps): max %.1f ms, p99 %.1f ms, p50 %.1f ms, gaps > %.0f ms: %d%n",
        idle.gaps(), idle.maxMs(), idle.p99Ms(), idle.p50Ms(), idle.thresholdMs(), idle.overThreshold());
    ctx.put("idle_pulse_gap_max_ms", idle.maxMs());
    ctx.put("idle_pulse_gap_p99_ms", idle.p99Ms());
    ctx.put("idle_pulse_gap_p50_ms", idle.p50Ms());
    ctx.put("idle_stalls", idle.overThreshold());
    double ratio = r.guiTraining().perSecond() / r.headlessTraining().perSecond();
    ctx.out().printf(Locale.ROOT, "training meanwhile: %.1f steps/s (%d steps in %.1f s); headless, same preset: %.1f steps/s"
        + " (%d steps in %.1f s): %.0f%%%n", r.guiTraining().perSecond(), r.guiTraining().steps(), r.guiTraining().seconds(),
        r.headlessTraining().perSecond(), r.headlessTraining().steps(), r.headlessTraining().seconds(), 100 * ratio);
    ctx.out().printf(Locale.ROOT, "CPU while recording: %d ms for the process; by Java thread (ms): %s%n", r.processCpuMs(),
        r.cpuByThread());
    ctx.out().printf(Locale.ROOT, "PyTorch engine loaded after training: %s%n", yesNo(r.engineLoadedAfterTraining()));
    ctx.put("process_cpu_ms_while_recording", r.processCpuMs());
    ctx.put("cpu_ms_by_thread_while_recording", r.cpuByThread());
    ctx.put("preset", r.preset());
    ctx.put("seconds", r.seconds());
    ctx.put("pulse_gaps", p.gaps());
    ctx.put("pulse_gap_max_ms", p.maxMs());
    ctx.put("pulse_gap_p99_ms", p.p99Ms());
    ctx.put("pulse_gap_p50_ms", p.p50Ms());
    ctx.put("pulse_gap_mean_ms", p.meanMs());
    ctx.put("stall_threshold_ms", p.thresholdMs());
    ctx.put("stalls", p.overThreshold());
    ctx.put("gui_steps_per_second", r.guiTraining().perSecond());
    ctx.put("headless_steps_per_second", r.headlessTraining().perSecond());
    ctx.put("gui_to_headless_speed", ratio);
    ctx.put("engine_loaded_after_training", r.engineLoadedAfterTraining());
    return 0;
  }

  private static String yesNo(Boolean b) {
    return b == null ? "unknown (no /proc/self/maps)" : b ? "yes" : "no";
  }
}
