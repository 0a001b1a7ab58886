package org.calmworkbench.app.gui.generator;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.binding.StringBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.calmworkbench.app.gui.WorkbenchContext;
import org.calmworkbench.app.gui.common.Events;
import org.calmworkbench.app.gui.service.Job;
import org.calmworkbench.app.gui.service.JobContext;
import org.calmworkbench.app.gui.service.JobSpec;
import org.calmworkbench.app.gui.service.JobState;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.eval.KnownWords;
import org.calmworkbench.backend.generate.ArGenerator;
import org.calmworkbench.backend.generate.CalmGenerator.Method;
import org.calmworkbench.backend.generate.CalmGenerator;
import org.calmworkbench.backend.project.Project;
import org.calmworkbench.backend.project.RunStore;
import org.calmworkbench.backend.sampling.TemperatureSampler;
import org.calmworkbench.backend.train.ArCheckpoint;
import org.calmworkbench.backend.train.CalmCheckpoint;

/**
 * The Generator page's state and commands: a CALM checkpoint of the project (and optionally an AR
 * baseline to run on the same prompt), the prompt, temperature, sampler, N, max tokens, seed and
 * the number of samples S; Generate runs on the workbench service and streams each step of each
 * sample into {@link #calm()} (and {@link #ar()}) as a {@link Segment}; Stop ends the run after the
 * current step. S samples take the backend's path of {@code generate --samples S}: one batched
 * forward pass per step, sample s being the text a single run with seed + s gives.
 */
public final class GeneratorViewModel {
  public static final String KIND = "generate";
  public static final String AR_KIND = "generate-ar";
  /** The slider's lower end: T must stay above 0 (1/T identical draws per exact attempt). */
  public static final double MIN_TEMPERATURE = 0.05;
  public static final int MAX_TOKENS_LIMIT = 4096;
  public static final int MAX_CANDIDATES = 100_000;
  /** Most continuations one run generates side by side. */
  public static final int MAX_SAMPLES = 16;
  public static final String DEFAULT_PROMPT = "The little robot";

  private final WorkbenchContext ctx;
  private final ObservableList<RunStore.Checkpoint> calmCheckpoints = FXCollections.observableArrayList();
  private final ObservableList<RunStore.Checkpoint> arCheckpoints = FXCollections.observableArrayList();
  private final ObjectProperty<RunStore.Checkpoint> calmCheckpoint = new SimpleObjectProperty<>(this, "calmCheckpoint");
  private final ObjectProperty<RunStore.Checkpoint> arCheckpoint = new SimpleObjectProperty<>(this, "arCheckpoint");
  private final BooleanProperty compareWithAr = new SimpleBooleanProperty(this, "compareWithAr", false);
  private final StringProperty prompt = new SimpleStringProperty(this, "prompt", DEFAULT_PROMPT);
  private final DoubleProperty temperature = new SimpleDoubleProperty(this, "temperature", 1.0);
  private final ObjectProperty<Method> method = new SimpleObjectProperty<>(this, "method", Method.EXACT);
  private final StringProperty candidates = new SimpleStringProperty(this, "candidates",
      String.valueOf(CalmGenerator.Options.DEFAULT_CANDIDATES));
  private final StringProperty maxTokens = new SimpleStringProperty(this, "maxTokens",
      String.valueOf(CalmGenerator.Options.DEFAULT_MAX_TOKENS));
  private final StringProperty seed = new SimpleStringProperty(this, "seed", "0");
  private final IntegerProperty samples = new SimpleIntegerProperty(this, "samples", 1);
  private final ReadOnlyStringWrapper validationMessage = new ReadOnlyStringWrapper(this, "validationMessage", "");
  private final ReadOnlyBooleanWrapper valid = new ReadOnlyBooleanWrapper(this, "valid", true);
  private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "");
  private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(this, "running", false);
  private final ReadOnlyIntegerWrapper patchSize = new ReadOnlyIntegerWrapper(this, "patchSize", 0);
  private final RunFigures calm = new RunFigures();
  private final RunFigures ar = new RunFigures();
  /** Sampler calls of each CALM step, in step order (the bar strip); with S samples, all samples' calls. */
  private final ObservableList<Integer> callsPerStep = FXCollections.observableArrayList();
  private final StringBinding stepRatio;
  private final BooleanBinding canGenerate;

  private final List<Job> jobs = new ArrayList<>(); // UI thread: the jobs of the current run
  private final AtomicBoolean stopRequested = new AtomicBoolean(); // read by the service thread
  private int unfinishedJobs; // UI thread
  private String runPrompt = ""; // UI thread: the prompt of the current (or last) run
  private final ReadOnlyLongWrapper runSeed = new ReadOnlyLongWrapper(this, "runSeed", 0);

  public GeneratorViewModel(WorkbenchContext ctx) {
    this.ctx = ctx;
    temperature.addListener((o, a, b) -> validate());
    method.addListener((o, a, b) -> validate());
    candidates.addListener((o, a, b) -> validate());
    maxTokens.addListener((o, a, b) -> validate());
    seed.addListener((o, a, b) -> validate());
    samples.addListener((o, a, b) -> validate());
    compareWithAr.addListener((o, a, b) -> validate());
    arCheckpoint.addListener((o, a, b) -> validate());
    calmCheckpoint.addListener((o, a, b) -> validate());
    ctx.projectProperty().addListener((o, a, p) -> refreshCheckpoints());
    ctx.bus().subscribe(Events.CheckpointSaved.class, e -> showCheckpoints(e.checkpoints()));
    stepRatio = Bindings.createStringBinding(this::describeStepRatio, calm.sampleStepsProperty(), calm.tokensProperty(),
        ar.sampleStepsProperty(), ar.tokensProperty(), calm.tokensPerSecondProperty(), ar.tokensPerSecondProperty(),
        calm.samplesProperty());
    canGenerate = valid.getReadOnlyProperty().and(running.getReadOnlyProperty().not()).and(calmCheckpoint.isNotNull());
    refreshCheckpoints();
    validate();
  }

  // ---- properties ----------------------------------------------------------------------------

  public ObservableList<RunStore.Checkpoint> calmCheckpoints() {
    return calmCheckpoints;
  }

  public ObservableList<RunStore.Checkpoint> arCheckpoints() {
    return arCheckpoints;
  }

  public ObjectProperty<RunStore.Checkpoint> calmCheckpointProperty() {
    return calmCheckpoint;
  }

  public ObjectProperty<RunStore.Checkpoint> arCheckpointProperty() {
    return arCheckpoint;
  }

  /** Also run the AR baseline on the same prompt (after the CALM run), for the step comparison. */
  public BooleanProperty compareWithArProperty() {
    return compareWithAr;
  }

  public StringProperty promptProperty() {
    return prompt;
  }

  /** T in [{@link #MIN_TEMPERATURE}, 1]. */
  public DoubleProperty temperatureProperty() {
    return temperature;
  }

  public ObjectProperty<Method> methodProperty() {
    return method;
  }

  /** N for batch and greedy, as typed. */
  public StringProperty candidatesProperty() {
    return candidates;
  }

  public StringProperty maxTokensProperty() {
    return maxTokens;
  }

  public StringProperty seedProperty() {
    return seed;
  }

  /** S: continuations generated side by side, 1 to {@link #MAX_SAMPLES}; sample s uses seed + s. */
  public IntegerProperty samplesProperty() {
    return samples;
  }

  /** Empty when every field is valid; otherwise one problem per line. */
  public ReadOnlyStringProperty validationMessageProperty() {
    return validationMessage.getReadOnlyProperty();
  }

  public ReadOnlyBooleanProperty validProperty() {
    return valid.getReadOnlyProperty();
  }

  public ReadOnlyStringProperty statusProperty() {
    return status.getReadOnlyProperty();
  }

  /** A generation job (CALM or AR) is queued or running. */
  public ReadOnlyBooleanProperty runningProperty() {
    return running.getReadOnlyProperty();
  }

  /** K of the CALM checkpoint of the last run (0 before one). */
  public ReadOnlyIntegerProperty patchSizeProperty() {
    return patchSize.getReadOnlyProperty();
  }

  public RunFigures calm() {
    return calm;
  }

  public RunFigures ar() {
    return ar;
  }

  public ObservableList<Integer> callsPerStep() {
    return callsPerStep;
  }

  /** "AR: 1 token per step, 64 steps · CALM: 4 tokens per step, 16 steps · 4.0x fewer steps". */
  public StringBinding stepRatioBinding() {
    return stepRatio;
  }

  public BooleanBinding canGenerateBinding() {
    return canGenerate;
  }

  /** The prompt of the current (or last) run, as typed. */
  public String runPrompt() {
    return runPrompt;
  }

  /** The seed of the current (or last) run: sample s used this + s. */
  public ReadOnlyLongProperty runSeedProperty() {
    return runSeed.getReadOnlyProperty();
  }

  /** The jobs of the current (or last) run: the CALM job, then the AR job if compared. */
  public List<Job> jobs() {
    return List.copyOf(jobs);
  }

  // ---- commands ------------------------------------------------------------------------------

  /** Re-reads the project's language-model checkpoints, keeping the selections that still exist. */
  public void refreshCheckpoints() {
    Project p = ctx.project();
    showCheckpoints(p == null ? RunStore.Listing.EMPTY : RunStore.listing(p.folder()));
  }

  /** Shows the listing's CALM and AR checkpoints, keeping the selections that still exist. */
  private void showCheckpoints(RunStore.Listing listing) {
    Project p = ctx.project();
    calmCheckpoints.setAll(listing.calm());
    arCheckpoints.setAll(listing.ar());
    calmCheckpoint.set(keep(calmCheckpoints, calmCheckpoint.get()));
    arCheckpoint.set(keep(arCheckpoints, arCheckpoint.get()));
    if (!running.get()) {
      if (p == null) {
        status.set("Open a project first (Project page).");
      } else if (calmCheckpoints.isEmpty()) {
        status.set("No CALM checkpoint in " + p.folder().resolve(Project.RUNS)
            + " yet: train one (./calm lm train, or the CALM training page).");
      } else if (status.get().startsWith("Open a project") || status.get().startsWith("No CALM checkpoint")) {
        status.set("");
      }
    }
  }

  private static RunStore.Checkpoint keep(List<RunStore.Checkpoint> list, RunStore.Checkpoint selected) {
    if (selected != null) {
      for (RunStore.Checkpoint c : list) {
        if (c.dir().equals(selected.dir())) {
          return c;
        }
      }
    }
    return list.isEmpty() ? null : list.get(0);
  }

  /**
   * Starts generating with the current settings: the CALM job, then (if compared) the AR job on the
   * same prompt. Returns the CALM job, or null when nothing started (the reason is in {@link
   * #statusProperty()}).
   */
  public Job generate() {
    RunStore.Checkpoint ck = calmCheckpoint.get();
    if (ck == null) {
      status.set(ctx.project() == null ? "Open a project first (Project page)." : "Pick a CALM checkpoint first.");
      return null;
    }
    if (!valid.get()) {
      status.set("Not started: fix the settings first.");
      return null;
    }
    if (running.get()) {
      status.set("A generation is running; stop it first.");
      return null;
    }
    CalmGenerator.Options calmOptions = calmOptions();
    int sampleCount = samples.get();
    RunStore.Checkpoint arCk = compareWithAr.get() ? arCheckpoint.get() : null;
    jobs.clear();
    runPrompt = calmOptions.prompt();
    runSeed.set(calmOptions.seed());
    stopRequested.set(false);
    calm.reset("waiting", sampleCount);
    ar.reset(arCk == null ? "" : "waiting", sampleCount);
    callsPerStep.clear();
    running.set(true);
    Job busy = ctx.service().currentProperty().get();
    status.set(busy == null ? "Generating with " + ck.name() + "…"
        : "Queued: starts when \"" + busy.name() + "\" ends (one engine job at a time).");
    unfinishedJobs = arCk == null ? 1 : 2;

    Path dir = ck.dir();
    Job calmJob = ctx.service().submit(JobSpec.of("Generate with " + ck.name(), KIND).needsEngine(),
        c -> runCalm(c, dir, calmOptions, sampleCount), this::calmFinished);
    track(calmJob, calm, "CALM");
    if (arCk != null) {
      ArGenerator.Options arOptions = new ArGenerator.Options(calmOptions.prompt(), calmOptions.maxTokens(),
          calmOptions.temperature(), calmOptions.method() == Method.GREEDY, calmOptions.seed());
      Path arDir = arCk.dir();
      Job arJob = ctx.service().submit(JobSpec.of("Generate with AR baseline " + arCk.name(), AR_KIND).needsEngine(),
          c -> stopRequested.get() ? null : runAr(c, arDir, arOptions, sampleCount), this::arFinished);
      track(arJob, ar, "AR baseline");
    }
    return calmJob;
  }

  /** Ends the run after the current step (both the CALM and the AR job); what was generated stays. */
  public void stop() {
    stopRequested.set(true);
    for (Job j : jobs) {
      if (!j.state().isFinal()) {
        j.cancel();
      }
    }
    if (running.get()) {
      status.set("Stopping after the current step…");
    }
  }

  /** The options the next CALM run would use; valid settings only. */
  public CalmGenerator.Options calmOptions() {
    int n = method.get() == Method.EXACT ? CalmGenerator.Options.DEFAULT_CANDIDATES : Integer.parseInt(candidates.get().strip());
    return new CalmGenerator.Options(prompt.get(), Integer.parseInt(maxTokens.get().strip()), temperature.get(),
        method.get(), n, Long.parseLong(seed.get().strip()), TemperatureSampler.DEFAULT_MAX_SAMPLER_CALLS);
  }

  // ---- service thread ------------------------------------------------------------------------

  private List<CalmGenerator.Result> runCalm(JobContext c, Path dir, CalmGenerator.Options o, int sampleCount) {
    c.progress(-1, Double.NaN, "loading " + dir.getFileName());
    try (CalmCheckpoint ck = CalmCheckpoint.load(dir)) {
      int k = ck.patchSize();
      int eos = ck.tokenizer().eosId();
      int maxSteps = (o.maxTokens() + k - 1) / k;
      c.latest("k", k, patchSize::set);
      long start = System.nanoTime();
      List<CalmGenerator.Result> r = CalmGenerator.runSamples(ck, o, sampleCount, (row, e) -> {
        int[] ids = e.chunk().ids();
        int tokens = e.endOfText() ? indexOf(ids, eos) : ids.length;
        Segment s = new Segment(row, e.step(), e.text(), tokens, e.samplerCalls(), e.fellBack(), e.endOfText(),
            Double.NaN, (System.nanoTime() - start) / 1e9);
        c.append("segments", s, this::calmSegments);
        c.progress((e.step() + 1.0) / maxSteps, Double.NaN, "step " + (e.step() + 1) + " of at most " + maxSteps);
      }, () -> stopRequested.get() || c.isCancelled(), true);
      publishKnownWords(c, dir, r.stream().map(CalmGenerator.Result::text).toList(), calm);
      return r;
    }
  }

  /** known_word_fraction of the samples' texts against the run's training corpus (split.json), if it is still there. */
  private static void publishKnownWords(JobContext c, Path dir, List<String> texts, RunFigures figures) {
    try {
      KnownWords.ofRun(dir).flatMap(w -> w.measured(String.join("\n", texts)))
          .ifPresent(f -> c.latest("known-words-" + System.identityHashCode(figures), f, figures::setKnownWordFraction));
    } catch (java.io.IOException | CalmException e) {
      c.log("known_word_fraction not measured: " + e.getMessage());
    }
  }

  private List<ArGenerator.Result> runAr(JobContext c, Path dir, ArGenerator.Options o, int sampleCount) {
    c.progress(-1, Double.NaN, "loading " + dir.getFileName());
    try (ArCheckpoint ck = ArCheckpoint.load(dir)) {
      long start = System.nanoTime();
      List<ArGenerator.Result> r = ArGenerator.runSamples(ck, o, sampleCount, (row, e) -> {
        Segment s = new Segment(row, e.step(), e.text(), e.endOfText() ? 0 : 1, 0, false, e.endOfText(),
            e.probability(), (System.nanoTime() - start) / 1e9);
        c.append("segments", s, ar::add);
        c.progress((e.step() + 1.0) / o.maxTokens(), Double.NaN, "token " + (e.step() + 1) + " of " + o.maxTokens());
      }, () -> stopRequested.get() || c.isCancelled());
      publishKnownWords(c, dir, r.stream().map(ArGenerator.Result::text).toList(), ar);
      return r;
    }
  }

  private static int indexOf(int[] ids, int id) {
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] == id) {
        return i;
      }
    }
    return ids.length;
  }

  // ---- UI thread -----------------------------------------------------------------------------

  private void calmSegments(List<Segment> batch) {
    calm.add(batch);
    for (Segment s : batch) {
      if (s.step() < callsPerStep.size()) { // another sample's share of a step already shown
        callsPerStep.set(s.step(), callsPerStep.get(s.step()) + s.samplerCalls());
      } else {
        callsPerStep.add(s.samplerCalls());
      }
    }
  }

  private void calmFinished(List<CalmGenerator.Result> rs) {
    long calls = rs.stream().mapToLong(CalmGenerator.Result::samplerCalls).sum();
    int sampleSteps = rs.stream().mapToInt(CalmGenerator.Result::steps).sum();
    int fallbacks = rs.stream().mapToInt(CalmGenerator.Result::fallbacks).sum();
    Totals t = finish(calm, rs.stream().map(r -> new Totals(r.steps(), r.tokens(), r.elapsedSeconds(), r.stopReason()))
        .toList());
    status.set(String.format(Locale.ROOT, "CALM: %s after %d steps (%d tokens%s, %s tokens/s, %.1f sampler calls per"
        + " step, %d fallback%s)", "stopped".equals(t.stopReason()) ? "stopped" : "done (" + t.stopReason().replace('_', ' ')
        + ")", t.steps(), t.tokens(), overSamples(rs.size()), RunFigures.rate(t.tokensPerSecond()),
        sampleSteps == 0 ? 0.0 : (double) calls / sampleSteps, fallbacks, fallbacks == 1 ? "" : "s"));
  }

  private void arFinished(List<ArGenerator.Result> rs) {
    if (rs == null) {
      ar.setState("not run (stopped)");
      return;
    }
    Totals t = finish(ar, rs.stream().map(r -> new Totals(r.steps(), r.tokens().length, r.elapsedSeconds(),
        r.stopReason())).toList());
    status.set(status.get() + String.format(Locale.ROOT, " · AR: %d steps, %d tokens%s, %s tokens/s", t.steps(),
        t.tokens(), overSamples(rs.size()), RunFigures.rate(t.tokensPerSecond())));
  }

  private static String overSamples(int sampleCount) {
    return sampleCount == 1 ? "" : " over " + sampleCount + " samples";
  }

  /**
   * A run's figures over its samples: the steps of the longest, the tokens of all, tokens/s over
   * all (the samples share one wall time), and the stop reason they agree on, else "stopped" if
   * any was stopped, else the reasons joined: "max_tokens, end_of_text".
   */
  record Totals(int steps, int tokens, double elapsedSeconds, String stopReason) {
    double tokensPerSecond() {
      return elapsedSeconds > 0 ? tokens / elapsedSeconds : 0;
    }
  }

  static Totals finish(RunFigures figures, List<Totals> samples) {
    int steps = samples.stream().mapToInt(Totals::steps).max().orElse(0);
    int tokens = samples.stream().mapToInt(Totals::tokens).sum();
    List<String> reasons = samples.stream().map(Totals::stopReason).distinct().toList();
    String reason = reasons.contains("stopped") ? "stopped" : String.join(", ", reasons);
    Totals t = new Totals(steps, tokens, samples.get(0).elapsedSeconds(), reason);
    figures.finish(t.steps(), t.tokens(), t.tokensPerSecond(), t.stopReason());
    return t;
  }

  /** Mirrors a job's end into the figures and the running flag (at once if it already ended). */
  private void track(Job j, RunFigures figures, String what) {
    jobs.add(j);
    Consumer<JobState> onState = s -> {
      if (s == JobState.RUNNING && figures.stateProperty().get().equals("waiting")) {
        figures.setState("loading the checkpoint");
        if (figures == calm) {
          status.set("Generating with " + j.name().replaceFirst("^Generate with ", "") + "…");
        }
      }
      if (!s.isFinal()) {
        return;
      }
      if (s == JobState.FAILED) {
        String msg = j.messageProperty().get();
        figures.setState("failed: " + msg);
        status.set(what + " generation failed: " + msg);
      } else if (s == JobState.CANCELLED && (figures.stateProperty().get().equals("waiting")
          || figures.stateProperty().get().equals("loading the checkpoint"))) {
        figures.setState("cancelled");
      }
      if (--unfinishedJobs == 0) {
        running.set(false);
      }
    };
    if (j.state().isFinal()) {
      onState.accept(j.state());
    } else {
      j.stateProperty().addListener((o, a, s) -> onState.accept(s));
    }
  }

  private String describeStepRatio() {
    int cs = calm.sampleStepsProperty().get(); // summed over the samples, as the tokens are
    int as = ar.sampleStepsProperty().get();
    if (cs == 0 || as == 0) {
      return "";
    }
    int s = calm.samplesProperty().get();
    String steps = s == 1 ? "steps" : "steps of " + s + " samples";
    return String.format(Locale.ROOT, "CALM: %d tokens in %d %s (%s tokens/s) · AR: %d tokens in %d %s"
        + " (%s tokens/s) · per token, CALM needed %.1fx fewer steps", calm.tokensProperty().get(), cs, steps,
        RunFigures.rate(calm.tokensPerSecondProperty().get()), ar.tokensProperty().get(), as, steps,
        RunFigures.rate(ar.tokensPerSecondProperty().get()),
        ((double) as / Math.max(1, ar.tokensProperty().get())) / ((double) cs / Math.max(1, calm.tokensProperty().get())));
  }

  /** Field checks; the temperature cannot leave (0, 1] from the slider, but a caller could set it. */
  private void validate() {
    List<String> problems = new ArrayList<>();
    double t = temperature.get();
    if (!(t > 0 && t <= 1)) {
      problems.add(String.format(Locale.ROOT, "temperature must be in (0, 1], got %s", t));
    }
    parseInt(maxTokens.get(), "max tokens", 1, MAX_TOKENS_LIMIT, problems);
    if (samples.get() < 1 || samples.get() > MAX_SAMPLES) {
      problems.add("samples must be between 1 and " + MAX_SAMPLES + ", got " + samples.get());
    }
    if (method.get() == null) {
      problems.add("choose a sampler: exact, batch or greedy");
    } else if (method.get() != Method.EXACT) {
      parseInt(candidates.get(), "N (candidates)", 1, MAX_CANDIDATES, problems);
    }
    try {
      Long.parseLong(seed.get() == null ? "" : seed.get().strip());
    } catch (NumberFormatException e) {
      problems.add("seed must be a whole number, got '" + seed.get() + "'");
    }
    if (compareWithAr.get() && arCheckpoint.get() == null) {
      problems.add("no AR baseline checkpoint (model_type calm_ar) in the project's runs/ folder: train one first, or untick the comparison");
    }
    validationMessage.set(String.join("\n", problems));
    valid.set(problems.isEmpty());
  }

  private static Integer parseInt(String text, String name, int lo, int hi, List<String> problems) {
    try {
      int v = Integer.parseInt(text == null ? "" : text.strip());
      if (v < lo || v > hi) {
        problems.add(name + " must be between " + lo + " and " + hi + ", got " + v);
        return null;
      }
      return v;
    } catch (NumberFormatException e) {
      problems.add(name + " must be a whole number, got '" + text + "'");
      return null;
    }
  }
}
