package org.calmworkbench.app.gui.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import javafx.animation.AnimationTimer;
import javafx.application.Platform;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.DialogPane;
import javafx.stage.Stage;
import javafx.stage.WindowEvent;
import org.calmworkbench.app.gui.MainWindow;
import org.calmworkbench.app.gui.WorkbenchApp;
import org.calmworkbench.app.gui.aetrain.AeTrainingPage;
import org.calmworkbench.app.gui.aetrain.AeTrainingViewModel;
import org.calmworkbench.app.gui.common.AppSettings;
import org.calmworkbench.app.gui.generator.GeneratorPage;
import org.calmworkbench.app.gui.generator.GeneratorViewModel;
import org.calmworkbench.app.gui.inspector.InspectorPage;
import org.calmworkbench.app.gui.inspector.InspectorViewModel;
import org.calmworkbench.app.gui.lmtrain.LmPoint;
import org.calmworkbench.app.gui.lmtrain.LmTrainingPage;
import org.calmworkbench.app.gui.lmtrain.LmTrainingViewModel;
import org.calmworkbench.app.gui.pages.PageSpec;
import org.calmworkbench.app.gui.pages.Pages;
import org.calmworkbench.app.gui.project.ProjectPage;
import org.calmworkbench.app.gui.service.Job;
import org.calmworkbench.app.gui.service.JobState;
import org.calmworkbench.app.gui.service.WorkbenchService;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.bench.ProcessMemory;
import org.calmworkbench.backend.io.AtomicFiles;
import org.calmworkbench.backend.train.ArCheckpoint;
import org.calmworkbench.backend.train.AutoencoderCheckpoint;
import org.calmworkbench.backend.train.CalmCheckpoint;
import org.calmworkbench.backend.project.RunStore;

/**
 * A long GUI session (issue 13, goal 5): the real main window goes through N cycles. Each cycle
 * opens the project and runs every kind of training job through the workbench service, each
 * started, paused, resumed and stopped (stopping saves a checkpoint) from its page's view model as
 * the buttons do: a tiny autoencoder (while it runs, the Reconstruction inspector is switched
 * through every autoencoder checkpoint, each decode interleaved between training steps), a tiny
 * CALM model on the autoencoder just saved (while it runs, the Generator is switched through every
 * CALM and AR checkpoint), and the AR baseline on the same autoencoder; then the Generator
 * generates 16 tokens with the CALM and AR checkpoints just saved (so both load), and every page
 * is shown in turn, each page's work finished before the next. A cycle begins by deleting the run
 * folders of the cycle before the previous one (of the runs not named {@code sample-*}), so the
 * pages switch between the bundled checkpoints and the previous cycle's while the project, and the
 * lists of checkpoints the pages read, stay the same size: what grows is the session's, not the
 * project's. After every cycle: the Java heap's floor after full GCs (the least of 4 readings
 * 250 ms apart), the process RSS and the live NDArrays. Throughout: every FX pulse (an {@link
 * AnimationTimer}), so a stall of the FX thread shows as a long gap, each gap over {@link #STALL_MS}
 * given a cause by {@link GapCauses} (the service, GC, CPU starvation, page code, JavaFX).
 *
 * <p>{@link #closeDuringJob} is the last step of {@link #main}, once per job kind: the window is
 * closed, as by its close button, while an autoencoder, then a CALM model, then the AR baseline
 * trains (the window shown again between them); the person answers "Stop, save and quit"; the job
 * must end CANCELLED with a checkpoint that loads, the window close and its exit action run once.
 *
 * <p>{@link #cycles} drives a window that is already open (the TestFX test's); {@link #main}
 * opens one as {@code calm gui} does (scripts/gui-session.sh runs it under Xvfb).
 */
public final class GuiSession {
  private GuiSession() {}

  /** A pulse gap longer than this is a stall the user notices. */
  public static final double STALL_MS = GuiResponsiveness.STALL_MS;

  /** Steps asked of every training run: far more than a cycle lets it take. */
  static final int ENDLESS_STEPS = 100_000_000;

  /** One training job of a cycle: its kind, how it ended, the steps it trained, its run folder. */
  public record Run(String kind, JobState state, long steps, Path folder) {}

  /** What one cycle left behind: memory after it, and how it went. */
  public record Cycle(int n, long heapBytes, long rssBytes, int liveNdArrays, List<Run> runs, int checkpointSwitches,
      double seconds) {
    /** The autoencoder run's end (the first job of the cycle). */
    public JobState jobState() {
      return runs.get(0).state();
    }

    /** The autoencoder run's steps. */
    public long trainedSteps() {
      return runs.get(0).steps();
    }
  }

  /**
   * @param stallsOverMs pulse gaps over {@link #STALL_MS}, longest first (at most 10)
   * @param gapCauses gaps over {@link #STALL_MS} by cause, most first
   * @param gapCausesAfterFirst the same from the end of cycle 1 on (class loading, JIT and first
   *     page builds are in cycle 1)
   * @param serviceSeen gaps in which any stack sample showed the FX thread in the service's code,
   *     whatever the gap's cause: all, and from the end of cycle 1 on
   * @param pageCodeWhere the gaps caused by workbench page code, by the innermost workbench frame
   * @param longestGaps the longest gaps, attributed, longest first (at most 10), then the longest of
   *     each cause
   */
  public record Result(List<Cycle> cycles, int pulses, double maxGapMs, int stalls, List<Double> stallsOverMs,
      Map<String, Integer> gapCauses, Map<String, Integer> gapCausesAfterFirst, int[] serviceSeen,
      Map<String, Integer> pageCodeWhere, Map<String, Double> worstByCause, List<String> longestGaps, double seconds) {
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
    Thread fxThread = GuiResponsiveness.fx(Thread::currentThread);
    GapCauses causes = new GapCauses(fxThread, STALL_MS);
    PulseGaps gaps = new PulseGaps(causes);
    GuiResponsiveness.fx(() -> {
      gaps.start();
      return null;
    });
    long start = System.nanoTime();
    List<Cycle> cycles = new ArrayList<>();
    List<Path> previous = List.of();
    try {
      for (int i = 1; i <= n; i++) {
        long t0 = System.nanoTime();
        int[] switches = new int[1];
        double[] phases = new double[5];
        List<Run> runs = cycle(window, service, project, previous, switches, phases);
        previous = runs.stream().map(Run::folder).toList();
        Cycle c = new Cycle(i, ProcessMemory.heapFloorAfterGc(4, 250), ProcessMemory.rssBytes(), ProcessMemory.liveNdArrays(),
            runs, switches[0], (System.nanoTime() - t0) / 1e9);
        cycles.add(c);
        log.accept(String.format(Locale.ROOT, "cycle %d: %s; %d checkpoint switches; heap %.1f MB, RSS %.1f MB, %d NDArrays, %.1f s"
            + " (autoencoder %.1f, CALM %.1f, AR %.1f, generation %.1f, pages %.1f)",
            i, runs.stream().map(r -> r.kind() + " " + r.state().name().toLowerCase(Locale.ROOT) + " after " + r.steps() + " steps")
                .collect(Collectors.joining(", ")), c.checkpointSwitches(), c.heapBytes() / 1e6, c.rssBytes() / 1e6,
            c.liveNdArrays(), c.seconds(), phases[0], phases[1], phases[2], phases[3], phases[4]));
        if (i == 1) {
          GuiResponsiveness.fx(() -> {
            causes.mark();
            return null;
          });
        }
      }
    } finally {
      GuiResponsiveness.fx(() -> {
        gaps.stop();
        return null;
      });
      causes.close();
    }
    Map<String, Integer> byCause = GuiResponsiveness.fx(() -> causes.counts(false));
    Map<String, Integer> afterFirst = GuiResponsiveness.fx(() -> causes.counts(true));
    int[] seen = GuiResponsiveness.fx(() -> new int[] {causes.serviceSeen(false), causes.serviceSeen(true)});
    return new Result(cycles, gaps.pulses, causes.maxMs(), causes.gaps(),
        causes.longest().stream().map(GapCauses.Gap::ms).toList(), byCause, afterFirst, seen,
        GuiResponsiveness.fx(causes::pageCodeWhere), causes.worst(),
        java.util.stream.Stream.concat(causes.longest().stream().map(GapCauses.Gap::describe),
            GuiResponsiveness.fx(causes::worstGaps).values().stream().map(d -> "longest of its cause: " + d)).toList(),
        (System.nanoTime() - start) / 1e9);
  }

  /** One cycle; returns its three training runs, finished. */
  private static List<Run> cycle(MainWindow window, WorkbenchService service, Path project, List<Path> previous,
      int[] switches, double[] phases) throws Exception {
    deleteSessionRuns(project, previous);
    GuiResponsiveness.fx(() -> {
      window.select(Pages.PROJECT);
      if (!((ProjectPage) window.page(Pages.PROJECT)).viewModel().open(project)) {
        throw new CalmException("the project did not open: " + project);
      }
      return null;
    });
    idle(service);
    List<Run> runs = new ArrayList<>();
    long t0 = System.nanoTime();

    // 1. The autoencoder; the inspector switched through every autoencoder checkpoint while it runs.
    AeTrainingViewModel ae = aeTrainingPage(window);
    Job aeJob = startEndlessAutoencoder(ae);
    Path aeFolder = GuiResponsiveness.fx(() -> ae.runFolderProperty().get());
    pauseResume(aeJob, ae::pause, ae::resume, "autoencoder training");
    switches[0] += switchInspector(window, service, aeJob);
    GuiResponsiveness.fx(() -> {
      window.select(Pages.AE_TRAINING);
      ae.stop();
      return null;
    });
    runs.add(finished("autoencoder", aeJob, aeFolder, () -> (long) ae.points().stream().mapToDouble(p -> p.x()).max().orElse(0)));
    phases[0] = (System.nanoTime() - t0) / 1e9;

    // 2. CALM on the autoencoder just saved; the generator's checkpoints switched while it runs.
    LmTrainingViewModel lm = lmTrainingPage(window, aeFolder);
    Job lmJob = startEndlessCalm(lm);
    Path lmFolder = GuiResponsiveness.fx(() -> lm.runFolderProperty().get());
    pauseResume(lmJob, lm::pause, lm::resume, "CALM training");
    switches[0] += switchGenerator(window, lmJob);
    GuiResponsiveness.fx(() -> {
      window.select(LmTrainingPage.TITLE);
      lm.stop();
      return null;
    });
    runs.add(finished("CALM", lmJob, lmFolder,
        () -> lm.points().stream().filter(p -> !p.baseline()).mapToLong(LmPoint::step).max().orElse(0)));
    phases[1] = (System.nanoTime() - t0) / 1e9 - phases[0];

    // 3. The AR baseline on the same autoencoder.
    Job arJob = startEndlessAr(window, lm);
    Path arFolder = GuiResponsiveness.fx(() -> lm.baselineFolderProperty().get());
    pauseResume(arJob, lm::pause, lm::resume, "AR training");
    long arSteps = GuiResponsiveness.fx(() -> {
      long step = stepOf(arJob.messageProperty().get()); // the last progress before the stop (at least that many)
      lm.stop();
      return step;
    });
    runs.add(finished("AR", arJob, arFolder, () -> arSteps));
    phases[2] = (System.nanoTime() - t0) / 1e9 - phases[0] - phases[1];

    // 4. Generate with the CALM and AR checkpoints just saved: both load and run.
    generate(window, service, lmFolder, arFolder);
    phases[3] = (System.nanoTime() - t0) / 1e9 - phases[0] - phases[1] - phases[2];

    for (PageSpec page : Pages.ALL) {
      GuiResponsiveness.fx(() -> {
        window.select(page.title());
        return null;
      });
      idle(service);
    }
    phases[4] = (System.nanoTime() - t0) / 1e9 - phases[0] - phases[1] - phases[2] - phases[3];
    return runs;
  }

  /** The step in a training job's progress text ("… · step 12 · …"), or 0. */
  static long stepOf(String progress) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("· step (\\d+)").matcher(progress == null ? "" : progress);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  private static Job started(Job job, javafx.beans.value.ObservableStringValue status) throws Exception {
    if (job == null) {
      throw new CalmException("the page did not start a run: " + GuiResponsiveness.fx(status::get));
    }
    return job;
  }

  private static void pauseResume(Job job, Runnable pause, Runnable resume, String what) throws Exception {
    GuiResponsiveness.fx(() -> {
      pause.run();
      return null;
    });
    until(() -> job.state() == JobState.PAUSED || job.state().isFinal(), what + " did not pause");
    GuiResponsiveness.fx(() -> {
      resume.run();
      return null;
    });
    until(() -> job.state() == JobState.RUNNING || job.state().isFinal(), what + " did not resume");
  }

  private static Run finished(String kind, Job job, Path folder, java.util.concurrent.Callable<Long> steps) throws Exception {
    until(() -> job.state().isFinal(), kind + " training did not stop");
    if (job.state() == JobState.FAILED) {
      throw new CalmException(kind + " training failed: " + GuiResponsiveness.fx(() -> job.messageProperty().get()));
    }
    return new Run(kind, GuiResponsiveness.fx(job::state), GuiResponsiveness.fx(steps), folder);
  }

  /** Picks every autoencoder checkpoint in the inspector in turn, each decoded, while {@code running} trains. */
  private static int switchInspector(MainWindow window, WorkbenchService service, Job running) throws Exception {
    InspectorViewModel vm = GuiResponsiveness.fx(() -> {
      window.select(Pages.INSPECTOR);
      return ((InspectorPage) window.page(Pages.INSPECTOR)).viewModel();
    });
    List<RunStore.Checkpoint> all = GuiResponsiveness.fx(() -> List.copyOf(vm.checkpoints()));
    int n = 0;
    for (RunStore.Checkpoint c : all) {
      GuiResponsiveness.fx(() -> {
        vm.checkpointProperty().set(c);
        return null;
      });
      until(() -> !vm.decodingProperty().get() || running.state().isFinal(), "the inspector did not decode");
      String status = GuiResponsiveness.fx(() -> vm.statusProperty().get());
      if (status.startsWith("Could not decode")) {
        throw new CalmException("inspector: " + status);
      }
      n++;
    }
    if (running.state().isFinal()) {
      throw new CalmException("the training job ended while the inspector switched checkpoints: " + running.state());
    }
    return n;
  }

  /** Picks every CALM checkpoint, then every AR checkpoint, in the generator while a job trains. */
  private static int switchGenerator(MainWindow window, Job running) throws Exception {
    return GuiResponsiveness.fx(() -> {
      window.select(GeneratorPage.TITLE);
      GeneratorViewModel vm = ((GeneratorPage) window.page(GeneratorPage.TITLE)).viewModel();
      vm.refreshCheckpoints();
      int n = 0;
      for (RunStore.Checkpoint c : List.copyOf(vm.calmCheckpoints())) {
        vm.calmCheckpointProperty().set(c);
        n++;
      }
      for (RunStore.Checkpoint c : List.copyOf(vm.arCheckpoints())) {
        vm.arCheckpointProperty().set(c);
        n++;
      }
      return n;
    });
  }

  /** Generates 16 tokens with the CALM checkpoint under {@code calm} against the AR one under {@code ar}. */
  private static void generate(MainWindow window, WorkbenchService service, Path calm, Path ar) throws Exception {
    GeneratorViewModel vm = GuiResponsiveness.fx(() -> {
      window.select(GeneratorPage.TITLE);
      GeneratorViewModel v = ((GeneratorPage) window.page(GeneratorPage.TITLE)).viewModel();
      v.refreshCheckpoints();
      v.calmCheckpointProperty().set(v.calmCheckpoints().stream().filter(c -> c.dir().startsWith(calm)).findFirst()
          .orElseThrow(() -> new CalmException("no checkpoint of the stopped CALM run in " + calm)));
      v.arCheckpointProperty().set(v.arCheckpoints().stream().filter(c -> c.dir().startsWith(ar)).findFirst()
          .orElseThrow(() -> new CalmException("no checkpoint of the stopped AR run in " + ar)));
      v.compareWithArProperty().set(true);
      v.maxTokensProperty().set("16");
      v.samplesProperty().set(1);
      return v;
    });
    Job job = started(GuiResponsiveness.fx(vm::generate), vm.statusProperty());
    until(() -> !vm.runningProperty().get(), "generation did not end");
    List<Job> jobs = GuiResponsiveness.fx(vm::jobs);
    for (Job j : jobs) {
      if (GuiResponsiveness.fx(j::state) != JobState.DONE) {
        throw new CalmException("generation " + j.name() + " ended " + GuiResponsiveness.fx(j::state) + ": "
            + GuiResponsiveness.fx(() -> j.messageProperty().get()));
      }
    }
    if (jobs.size() != 2 || GuiResponsiveness.fx(job::state) != JobState.DONE) {
      throw new CalmException("generation: " + jobs.size() + " jobs, the CALM one " + GuiResponsiveness.fx(job::state));
    }
    idle(service);
  }

  /** Deletes the run folders the cycles made (every one not named sample-*) but those in {@code keep}. */
  static void deleteSessionRuns(Path project, List<Path> keep) throws java.io.IOException {
    Path runs = project.resolve("runs");
    if (!Files.isDirectory(runs)) {
      return;
    }
    try (var s = Files.list(runs)) {
      for (Path d : s.toList()) {
        if (!d.getFileName().toString().startsWith("sample-") && !keep.contains(d)) {
          AtomicFiles.deleteTree(d);
        }
      }
    }
  }

  /** How closing the window during a training job went. */
  public record Closed(JobKind kind, JobState state, long checkpointStep, long loadedStep, boolean windowHidden,
      double seconds) {}

  /** The Autoencoder training page shown, its view model set to the tiny preset and a step budget that never ends. */
  private static AeTrainingViewModel aeTrainingPage(MainWindow window) throws Exception {
    return GuiResponsiveness.fx(() -> {
      window.select(Pages.AE_TRAINING);
      AeTrainingViewModel v = ((AeTrainingPage) window.page(Pages.AE_TRAINING)).viewModel();
      v.presetProperty().set("tiny");
      v.field("steps").set(ENDLESS_STEPS);
      return v;
    });
  }

  /** Starts {@code ae}'s training and returns once it has reported its first points. */
  private static Job startEndlessAutoencoder(AeTrainingViewModel ae) throws Exception {
    Job job = started(GuiResponsiveness.fx(ae::train), ae.statusProperty());
    until(() -> !ae.points().isEmpty() || job.state().isFinal(), "autoencoder training did not start");
    return job;
  }

  /**
   * The LM training page shown, its view model set to train on the checkpoint of the autoencoder
   * run in {@code aeFolder} (stopped), the tiny preset and a step budget that never ends.
   */
  private static LmTrainingViewModel lmTrainingPage(MainWindow window, Path aeFolder) throws Exception {
    return GuiResponsiveness.fx(() -> {
      window.select(LmTrainingPage.TITLE);
      LmTrainingViewModel v = ((LmTrainingPage) window.page(LmTrainingPage.TITLE)).viewModel();
      v.refreshAutoencoders();
      RunStore.Checkpoint mine = v.autoencoders().stream().filter(c -> c.dir().startsWith(aeFolder)).findFirst()
          .orElseThrow(() -> new CalmException("no checkpoint of the stopped autoencoder run in " + aeFolder));
      v.autoencoderProperty().set(mine);
      v.presetProperty().set("tiny");
      v.field("steps").set(ENDLESS_STEPS);
      return v;
    });
  }

  /** Starts {@code lm}'s CALM training and returns once it has reported its first training point. */
  private static Job startEndlessCalm(LmTrainingViewModel lm) throws Exception {
    Job job = started(GuiResponsiveness.fx(lm::train), lm.statusProperty());
    until(() -> lm.points().stream().anyMatch(p -> !p.baseline()) || job.state().isFinal(), "CALM training did not start");
    return job;
  }

  /** Starts the AR baseline from {@code lm}'s page and returns once it has trained a step. */
  private static Job startEndlessAr(MainWindow window, LmTrainingViewModel lm) throws Exception {
    Job job = started(GuiResponsiveness.fx(() -> {
      window.select(LmTrainingPage.TITLE);
      return lm.trainBaseline();
    }), lm.statusProperty());
    // the baseline's chart points come at evaluations only; its progress text names every step
    until(() -> job.messageProperty().get().contains("· step") || job.state().isFinal(), "AR training did not start");
    return job;
  }

  /** The three training jobs a window can be closed during. */
  public enum JobKind {
    AUTOENCODER("autoencoder"), CALM("CALM"), AR("AR baseline");

    private final String label;

    JobKind(String label) {
      this.label = label;
    }

    @Override
    public String toString() {
      return label;
    }
  }

  /** {@link #closeDuringJob(Stage, MainWindow, WorkbenchService, Path, JobKind)} during autoencoder training. */
  public static Closed closeDuringJob(Stage stage, MainWindow window, WorkbenchService service, Path project)
      throws Exception {
    return closeDuringJob(stage, window, service, project, JobKind.AUTOENCODER);
  }

  /**
   * Closes the window on {@code stage} as its close button does while a job of {@code kind} trains
   * (for CALM and the AR baseline: on an autoencoder trained a few steps first, then stopped), and
   * answers the "Training is running" question with "Stop, save and quit"; waits until the job has
   * ended and the window is hidden, then loads the run's newest checkpoint. The window's close
   * handler then runs its exit action ({@code calm gui}: {@code Platform.exit()}), so after this
   * the FX toolkit may be gone: nothing here runs on it once the window is hidden.
   */
  public static Closed closeDuringJob(Stage stage, MainWindow window, WorkbenchService service, Path project,
      JobKind kind) throws Exception {
    deleteSessionRuns(project, List.of());
    long t0 = System.nanoTime();
    AeTrainingViewModel ae = aeTrainingPage(window);
    Job aeJob = startEndlessAutoencoder(ae);
    Path aeFolder = GuiResponsiveness.fx(() -> ae.runFolderProperty().get());
    Job job = aeJob;
    Path folder = aeFolder;
    if (kind != JobKind.AUTOENCODER) { // CALM and the AR baseline train on the autoencoder just started
      GuiResponsiveness.fx(() -> {
        window.select(Pages.AE_TRAINING);
        ae.stop();
        return null;
      });
      finished("autoencoder", aeJob, aeFolder, () -> 0L);
      LmTrainingViewModel lm = lmTrainingPage(window, aeFolder);
      job = kind == JobKind.CALM ? startEndlessCalm(lm) : startEndlessAr(window, lm);
      folder = GuiResponsiveness.fx(() -> kind == JobKind.CALM ? lm.runFolderProperty().get() : lm.baselineFolderProperty().get());
    }
    Job closing = job;
    java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch hidden = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicReference<JobState> finalState = new java.util.concurrent.atomic.AtomicReference<>();
    GuiResponsiveness.fx(() -> {
      if (closing.state().isFinal()) {
        throw new CalmException("the " + kind + " training job ended before the window was closed: " + closing.state()
            + ": " + closing.messageProperty().get());
      }
      closing.stateProperty().addListener((o, a, st) -> {
        if (st.isFinal()) {
          finalState.set(st);
          ended.countDown();
        }
      });
      stage.showingProperty().addListener((o, a, showing) -> {
        if (!showing) {
          hidden.countDown();
        }
      });
      return null;
    });
    // The close button: a close request the window's handler may consume (it asks first).
    Platform.runLater(() -> stage.fireEvent(new WindowEvent(stage, WindowEvent.WINDOW_CLOSE_REQUEST)));
    answer(stage, "Stop, save and quit");
    if (!ended.await(300, java.util.concurrent.TimeUnit.SECONDS)) {
      throw new CalmException("the " + kind + " training job did not end within 300 s of closing the window");
    }
    boolean wasHidden = hidden.await(60, java.util.concurrent.TimeUnit.SECONDS);
    Path runFolder = folder;
    List<RunStore.Checkpoint> saved = switch (kind) {
      case AUTOENCODER -> RunStore.autoencoders(project);
      case CALM -> RunStore.calm(project);
      case AR -> RunStore.ar(project);
    };
    RunStore.Checkpoint ck = saved.stream().filter(c -> c.dir().startsWith(runFolder)).findFirst()
        .orElseThrow(() -> new CalmException("no " + kind + " checkpoint saved in " + runFolder + " when the window closed"));
    long loaded = RunStore.step(ck.dir()).orElse(-1);
    try (AutoCloseable c = switch (kind) { // each throws a CalmException naming what is wrong if it does not load
      case AUTOENCODER -> AutoencoderCheckpoint.load(ck.dir());
      case CALM -> CalmCheckpoint.load(ck.dir());
      case AR -> ArCheckpoint.load(ck.dir());
    }) {
      if (c instanceof AutoencoderCheckpoint a && a.model() == null || c instanceof CalmCheckpoint m && m.model() == null
          || c instanceof ArCheckpoint r && r.model() == null) {
        throw new CalmException("the checkpoint " + ck.dir() + " loaded without a model");
      }
    }
    return new Closed(kind, finalState.get(), ck.step(), loaded, wasHidden, (System.nanoTime() - t0) / 1e9);
  }

  /** Waits for a dialog owned by {@code owner} and presses its button named {@code button}. */
  static void answer(Stage owner, String button) throws Exception {
    until(() -> dialog(owner) != null, "the close question did not appear");
    GuiResponsiveness.fx(() -> {
      DialogPane pane = dialog(owner);
      ButtonType type = pane.getButtonTypes().stream().filter(b -> b.getText().equals(button)).findFirst()
          .orElseThrow(() -> new CalmException("the dialog has no button " + button + ": " + pane.getButtonTypes()));
      ((Button) pane.lookupButton(type)).fire();
      return null;
    });
  }

  /** A dialog owned by {@code owner} is showing (FX thread or not: reads the window list). */
  public static boolean dialogShowing(Stage owner) throws Exception {
    return GuiResponsiveness.fx(() -> dialog(owner) != null);
  }

  private static DialogPane dialog(Stage owner) {
    for (javafx.stage.Window w : javafx.stage.Window.getWindows()) {
      if (w != owner && w.isShowing() && w instanceof Stage s && s.getOwner() == owner && w.getScene() != null
          && w.getScene().getRoot() instanceof DialogPane pane) {
        return pane;
      }
    }
    return null;
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

  /** Every FX pulse for as long as it runs, handed to {@link GapCauses}. */
  private static final class PulseGaps extends AnimationTimer {
    int pulses;
    private final GapCauses causes;

    PulseGaps(GapCauses causes) {
      this.causes = causes;
    }

    @Override
    public void handle(long now) {
      causes.pulse(now);
      pulses++;
    }
  }

  /**
   * {@code GuiSession PROJECT CYCLES}: opens the window as {@code calm gui} does on a copy of
   * PROJECT in a temporary folder (of its runs, only the {@code sample-*} ones: the checkpoints the
   * inspector and generator switch between), runs the cycles, prints the figures, then closes the
   * window during an autoencoder, a CALM and an AR baseline training job ({@link #closeDuringJob}).
   * Exit 0 only when everything passed.
   */
  public static void main(String[] args) throws Exception {
    Path source = Path.of(args.length > 0 ? args[0] : "sample-projects/grammar-english");
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    Path work = Files.createTempDirectory("calm-gui-session");
    int code = 0;
    try {
      Path project = GuiResponsiveness.copyProject(source, work.resolve("project"));
      Path runs = source.resolve("runs");
      if (Files.isDirectory(runs)) {
        try (var s = Files.list(runs)) {
          for (Path d : s.filter(d -> d.getFileName().toString().startsWith("sample-")).toList()) {
            AtomicFiles.copyTree(d, project.resolve("runs").resolve(d.getFileName()), rel -> false);
          }
        }
      }
      AppSettings settings = AppSettings.load(work.resolve("config").resolve(AppSettings.FILE_NAME));
      CompletableFuture<WorkbenchApp.Opened> opened = new CompletableFuture<>();
      CompletableFuture<Stage> stageOf = new CompletableFuture<>();
      java.util.concurrent.atomic.AtomicInteger exits = new java.util.concurrent.atomic.AtomicInteger();
      Platform.setImplicitExit(false);
      Platform.startup(() -> {
        try {
          Stage stage = new Stage();
          // closed three times (closeDuringJob per job kind): the exit action only counts, and the
          // session exits the toolkit itself at the end
          opened.complete(WorkbenchApp.open(stage, settings, project.toString(), exits::incrementAndGet));
          stageOf.complete(stage);
        } catch (Throwable t) {
          opened.completeExceptionally(t);
        }
      });
      WorkbenchApp.Opened w = opened.get(600, java.util.concurrent.TimeUnit.SECONDS); // minutes on a loaded machine
      try {
        SlowUpdateProbe probe = new SlowUpdateProbe(GuiResponsiveness.fx(Thread::currentThread), 30);
        w.service().dispatcher().watchSlowUpdates(probe);
        Result r = cycles(w.window(), w.service(), project, n, System.out::println);
        w.service().dispatcher().watchSlowUpdates(null);
        probe.close();
        java.util.List<String> slowUpdates = probe.slowUpdates();
        System.out.println("gui-session: service updates that held the FX thread 30 ms or more: " + slowUpdates.size()
            + " (50 ms or more: " + probe.count(50, false) + "; with 50 ms or more of the FX thread's CPU time: "
            + probe.count(50, true) + ")");
        slowUpdates.forEach(u -> System.out.println("gui-session:   " + u));
        System.out.println("gui-session: updates deferred to the next UI task by the flush budget: "
            + w.service().dispatcher().deferrals());
        int warm = Math.max(1, n / 10);
        double[] secs = r.cycles().stream().mapToDouble(Cycle::seconds).sorted().toArray();
        System.out.printf(Locale.ROOT, "gui-session: %d cycles in %.0f s (per cycle: median %.1f s, max %.1f s); jobs stopped"
                + " cleanly (cancelled): autoencoder %d, CALM %d, AR %d of %d each; %d checkpoint switches while training;"
                + " heap %+.1f%% and RSS %+.1f%% from cycle %d to %d (%+.1f%% and %+.1f%% from cycle 1; RSS %.0f -> %.0f -> %.0f MB);"
                + " live NDArrays %d after cycle 1, %d after cycle %d%n",
            n, r.seconds(), secs[secs.length / 2], secs[secs.length - 1], cancelled(r, 0), cancelled(r, 1), cancelled(r, 2), n,
            r.cycles().stream().mapToInt(Cycle::checkpointSwitches).sum(),
            100 * r.growth(warm, true), 100 * r.growth(warm, false), warm, n, 100 * r.growth(1, true),
            100 * r.growth(1, false), r.cycles().get(0).rssBytes() / 1e6, r.cycles().get(warm - 1).rssBytes() / 1e6,
            r.cycles().get(n - 1).rssBytes() / 1e6, r.cycles().get(0).liveNdArrays(), r.cycles().get(n - 1).liveNdArrays(), n);
        System.out.printf(Locale.ROOT, "gui-session: FX pulses %d, longest gap %.0f ms, %d gaps over %.0f ms; by cause %s;"
                + " from the end of cycle 1 on: %d gaps, by cause %s; gaps with the FX thread seen in the service's code"
                + " (any cause): %d (%d after cycle 1); longest of each cause (ms) %s%n", r.pulses(), r.maxGapMs(), r.stalls(),
            STALL_MS, r.gapCauses(), r.gapCausesAfterFirst().values().stream().mapToInt(Integer::intValue).sum(),
            r.gapCausesAfterFirst(), r.serviceSeen()[0], r.serviceSeen()[1],
            r.worstByCause().entrySet().stream().map(e -> e.getKey() + "=" + String.format(Locale.ROOT, "%.0f", e.getValue())).toList());
        System.out.println("gui-session: gaps caused by workbench page code, by the innermost workbench frame: "
            + r.pageCodeWhere());
        for (String g : r.longestGaps()) {
          System.out.println("  gap " + g);
        }
        if (r.cycles().stream().anyMatch(c -> c.runs().stream().anyMatch(x -> x.state() != JobState.CANCELLED))) {
          code = 1;
        }
        Stage stage = stageOf.get();
        for (JobKind kind : JobKind.values()) {
          if (kind != JobKind.AUTOENCODER) { // the window of the previous close, shown again
            GuiResponsiveness.fx(() -> {
              stage.show();
              return null;
            });
          }
          int exitsBefore = exits.get();
          Closed c = closeDuringJob(stage, w.window(), w.service(), project, kind);
          until(() -> exits.get() > exitsBefore, "the exit action did not run after the window closed");
          System.out.printf(Locale.ROOT, "gui-session: closed the window during %s training: job %s, window %s, exit action"
                  + " run %d time(s), checkpoint at step %d saved and loaded (%.1f s from the start of the run to the loaded"
                  + " checkpoint)%n", kind, c.state(), c.windowHidden() ? "closed" : "STILL OPEN", exits.get() - exitsBefore,
              c.checkpointStep(), c.seconds());
          if (c.state() != JobState.CANCELLED || !c.windowHidden() || exits.get() != exitsBefore + 1
              || c.checkpointStep() < 1 || c.loadedStep() != c.checkpointStep()) {
            code = 1;
          }
        }
      } finally {
        GuiResponsiveness.fx(() -> { // the window's exit action only counts: the toolkit is up until here
          w.service().cancelAll();
          return null;
        });
        until(() -> w.service().unfinished().isEmpty(), "the jobs did not stop");
        w.service().close();
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

  private static long cancelled(Result r, int job) {
    return r.cycles().stream().filter(c -> c.runs().get(job).state() == JobState.CANCELLED).count();
  }
}
