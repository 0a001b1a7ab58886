package org.calmworkbench.app.gui.lmtrain;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.calmworkbench.app.gui.WorkbenchContext;
import org.calmworkbench.app.gui.settings.SettingField;
import org.calmworkbench.app.gui.settings.SettingsForm;
import org.calmworkbench.app.gui.common.Checkpoints;
import org.calmworkbench.app.gui.common.Events;
import org.calmworkbench.app.gui.common.MetricPoint;
import org.calmworkbench.app.gui.common.ProjectLayer;
import org.calmworkbench.app.gui.service.Durations;
import org.calmworkbench.app.gui.service.FollowedJob;
import org.calmworkbench.app.gui.service.Job;
import org.calmworkbench.app.gui.service.JobCommands;
import org.calmworkbench.app.gui.service.JobContext;
import org.calmworkbench.app.gui.service.JobSpec;
import org.calmworkbench.app.gui.service.JobState;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.config.Setting;
import org.calmworkbench.backend.data.DataSplit;
import org.calmworkbench.backend.data.TokenizedCorpus;
import org.calmworkbench.backend.eval.EnergyLevels;
import org.calmworkbench.backend.model.AutoencoderConfig;
import org.calmworkbench.backend.model.CalmConfig;
import org.calmworkbench.backend.model.HeadType;
import org.calmworkbench.backend.model.InputMode;
import org.calmworkbench.backend.project.Project;
import org.calmworkbench.backend.project.RunStore;
import org.calmworkbench.backend.project.StageSettings;
import org.calmworkbench.backend.train.ArTrainer;
import org.calmworkbench.backend.train.CalmTrainer;
import org.calmworkbench.backend.train.LmPresets;
import org.calmworkbench.backend.train.MetricsLog;
import org.calmworkbench.backend.train.TrainConfig;
import org.calmworkbench.backend.train.TrainingLoop;
import org.calmworkbench.backend.workflow.AeTraining;
import org.calmworkbench.backend.workflow.ArTraining;
import org.calmworkbench.backend.workflow.LmTraining;

/**
 * The CALM training page's state and commands: the frozen autoencoder (one of the project's
 * autoencoder runs), the input mode, a preset and every setting (validated as {@code calm lm train
 * --set} validates them), Train / Pause / Resume / Stop, progress with ETA, and the curves: the
 * energy loss per step and BrierLM with Brier-1..4 at each evaluation. "AR baseline" trains the
 * autoregressive Transformer on the same corpus split and tokenizer, with the same backbone and
 * training settings, as a second job in the same queue; its Brier curves overlay CALM's.
 */
public final class LmTrainingViewModel implements JobCommands {
  public static final String KIND = "lm-train";
  public static final String AR_KIND = "ar-train";
  public static final String CHART_LOSS = "energy";
  /** BrierLM = 100 x geometric mean of Brier-1..4, on its own 0..100 axis. */
  public static final String CHART_BRIER = "brier-lm";
  /** Brier-1..4, each a score in [-1, 2] (about 0..1 in practice). */
  public static final String CHART_BRIER_N = "brier-n";
  public static final String SERIES_LOSS = "energy loss (train)";
  public static final String SERIES_VALID_LOSS = "energy loss (held-out)";
  public static final String SERIES_BRIER_LM = "BrierLM";
  public static final String SERIES_MARGINAL = "marginal level (ignores context)";
  public static final String SERIES_ORACLE = "oracle level (exact posterior)";
  public static final String SERIES_ON_MANIFOLD = "on-manifold fraction";
  /** The AR baseline's series are CALM's with this prefix. */
  public static final String AR_PREFIX = "AR ";

  static final String MODEL_CATEGORY = "1 · Model (Transformer, energy head)";
  static final String TRAIN_CATEGORY = "2 · Training";
  static final String LM_CATEGORY = "3 · Context and evaluation";

  /** Brier-n for n = 1..4. */
  public static String brierSeries(int n) {
    return "Brier-" + n;
  }

  private final WorkbenchContext ctx;
  private final ObservableList<String> presets =
      FXCollections.observableArrayList(LmPresets.ALL.stream().map(LmPresets.Preset::name).toList());
  private final ObjectProperty<String> preset = new SimpleObjectProperty<>(this, "preset", LmPresets.DEFAULT);
  private final ObservableList<InputMode> inputModes = FXCollections.observableArrayList(InputMode.values());
  private final ObjectProperty<InputMode> inputMode = new SimpleObjectProperty<>(this, "inputMode", InputMode.DISCRETE);
  private final ObservableList<RunStore.Checkpoint> autoencoders = FXCollections.observableArrayList();
  private final ObjectProperty<RunStore.Checkpoint> autoencoder = new SimpleObjectProperty<>(this, "autoencoder");
  private AutoencoderConfig aeConfig; // of the selected autoencoder; null when none or unreadable
  private String aeProblem = "";
  private final SettingsForm form = new SettingsForm(new SettingsForm.Checks() {
    @Override
    public List<String> outside() {
      return autoencoder.get() == null
          ? List.of("choose an autoencoder checkpoint: train one on the Autoencoder training page first")
          : aeConfig == null ? List.of(aeProblem) : List.of();
    }

    @Override
    public void values(Map<String, Number> values) {
      calmConfig(values);
    }
  });

  private final ReadOnlyObjectWrapper<Job> calmJob = new ReadOnlyObjectWrapper<>(this, "calmJob");
  private final ReadOnlyObjectWrapper<Job> arJob = new ReadOnlyObjectWrapper<>(this, "arJob");
  private final ReadOnlyObjectWrapper<JobState> calmState = new ReadOnlyObjectWrapper<>(this, "calmState");
  private final ReadOnlyObjectWrapper<JobState> arState = new ReadOnlyObjectWrapper<>(this, "arState");
  /** The page's job that the progress bar and the buttons follow: the one that started last. */
  private final FollowedJob shown = new FollowedJob(FollowedJob::namedText);
  private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "");
  private final ReadOnlyObjectWrapper<Path> runFolder = new ReadOnlyObjectWrapper<>(this, "runFolder");
  private final ReadOnlyObjectWrapper<Path> baselineFolder = new ReadOnlyObjectWrapper<>(this, "baselineFolder");
  private final ObservableList<LmPoint> points = FXCollections.observableArrayList();
  private final ObjectProperty<LmPoint.XAxis> xAxis = new SimpleObjectProperty<>(this, "xAxis", LmPoint.XAxis.STEPS);
  private final BooleanProperty showBaseline = new SimpleBooleanProperty(this, "showBaseline", true);
  private final BooleanBinding calmActive;
  private final BooleanBinding arActive;
  private final BooleanBinding canTrain;
  private final BooleanBinding canTrainBaseline;
  /** Built-in preset → project.json (seed, validation_fraction, presets.lm), shown in the sheet under its edits. */
  private StageSettings projectLayer = StageSettings.builtIn(LmPresets.DEFAULT);

  public LmTrainingViewModel(WorkbenchContext ctx) {
    this.ctx = ctx;
    Set<String> model = Set.copyOf(CalmConfig.SETTINGS.stream().map(Setting::key).toList());
    Set<String> train = Set.copyOf(TrainConfig.SETTINGS.stream().map(Setting::key).toList());
    // This page trains the energy head only: the flow/diffusion heads' keys have no preset values
    // here and LmTraining refuses them with --head energy.
    for (Setting s : LmTraining.settableKeys(HeadType.ENERGY)) {
      form.add(new SettingField(s, model.contains(s.key()) ? MODEL_CATEGORY : train.contains(s.key()) ? TRAIN_CATEGORY : LM_CATEGORY));
    }
    preset.addListener((o, a, b) -> applyPreset(b));
    applyPreset(preset.get());
    autoencoder.addListener((o, a, b) -> {
      readAutoencoder(b);
      form.validate();
    });
    calmActive = activeBinding(calmState);
    arActive = activeBinding(arState);
    canTrain = form.validProperty().and(calmActive.not()).and(ctx.projectProperty().isNotNull());
    canTrainBaseline = form.validProperty().and(arActive.not()).and(ctx.projectProperty().isNotNull());
    ctx.projectProperty().addListener((o, a, p) -> onProject(p));
    ctx.bus().subscribe(Events.CheckpointSaved.class, e -> showAutoencoders(e.checkpoints().autoencoders()));
    onProject(ctx.project());
  }

  private static BooleanBinding activeBinding(ReadOnlyObjectWrapper<JobState> state) {
    return Bindings.createBooleanBinding(() -> state.get() != null && !state.get().isFinal(), state);
  }

  // ---- properties ----------------------------------------------------------------------------

  public ObservableList<String> presets() {
    return presets;
  }

  public ObjectProperty<String> presetProperty() {
    return preset;
  }

  public ObservableList<InputMode> inputModes() {
    return inputModes;
  }

  public ObjectProperty<InputMode> inputModeProperty() {
    return inputMode;
  }

  /** The project's autoencoder checkpoints (runs/ folders of model_type calm_autoencoder), newest first. */
  public ObservableList<RunStore.Checkpoint> autoencoders() {
    return autoencoders;
  }

  /** The frozen autoencoder the language model predicts the latents of. */
  public ObjectProperty<RunStore.Checkpoint> autoencoderProperty() {
    return autoencoder;
  }

  /** Every setting: model, then training, then context and evaluation. */
  public List<SettingField> fields() {
    return form.fields();
  }

  public SettingField field(String key) {
    return form.field(key);
  }

  /** Empty when everything is valid; otherwise what is wrong, one problem per line. */
  public ReadOnlyStringProperty validationMessageProperty() {
    return form.validationMessageProperty();
  }

  public ReadOnlyBooleanProperty validProperty() {
    return form.validProperty();
  }

  /** The current (or last) CALM training job. */
  public ReadOnlyObjectProperty<Job> jobProperty() {
    return calmJob.getReadOnlyProperty();
  }

  /** The current (or last) AR baseline job. */
  public ReadOnlyObjectProperty<Job> baselineJobProperty() {
    return arJob.getReadOnlyProperty();
  }

  /** The job the progress bar, ETA and Pause / Resume / Stop follow (the one started last). */
  public ReadOnlyObjectProperty<Job> shownJobProperty() {
    return shown.jobProperty();
  }

  public ReadOnlyObjectProperty<JobState> jobStateProperty() {
    return shown.stateProperty();
  }

  /** Fraction done of the shown job, -1 while unknown. */
  public ReadOnlyDoubleProperty progressProperty() {
    return shown.progressProperty();
  }

  public ReadOnlyStringProperty etaTextProperty() {
    return shown.textProperty();
  }

  public ReadOnlyStringProperty statusProperty() {
    return status.getReadOnlyProperty();
  }

  /** Where the current (or last) CALM run writes. */
  public ReadOnlyObjectProperty<Path> runFolderProperty() {
    return runFolder.getReadOnlyProperty();
  }

  /** The AR baseline run whose curves are overlaid (trained here, or the project's newest). */
  public ReadOnlyObjectProperty<Path> baselineFolderProperty() {
    return baselineFolder.getReadOnlyProperty();
  }

  /** Every chart point of the current CALM run and of the overlaid AR baseline, in arrival order. */
  public ObservableList<LmPoint> points() {
    return points;
  }

  public ObjectProperty<LmPoint.XAxis> xAxisProperty() {
    return xAxis;
  }

  /** Whether the AR baseline's curves are drawn. */
  public BooleanProperty showBaselineProperty() {
    return showBaseline;
  }

  /** {@code p} as drawn now (the chosen x axis), or null while hidden (a baseline point, overlay off). */
  public MetricPoint chartPoint(LmPoint p) {
    if (p.baseline() && !showBaseline.get()) {
      return null;
    }
    if (xAxis.get() == LmPoint.XAxis.FLOPS && !Double.isFinite(p.flops())) {
      return null;
    }
    return p.at(xAxis.get());
  }

  /** Every point as drawn now: CALM's first, so the baseline's series take CALM's colours. */
  public List<MetricPoint> chartPoints() {
    List<MetricPoint> out = new ArrayList<>();
    for (boolean baseline : new boolean[] {false, true}) {
      for (LmPoint p : points) {
        MetricPoint m = p.baseline() == baseline ? chartPoint(p) : null;
        if (m != null) {
          out.add(m);
        }
      }
    }
    return out;
  }

  public BooleanBinding canTrainBinding() {
    return canTrain;
  }

  public BooleanBinding canTrainBaselineBinding() {
    return canTrainBaseline;
  }

  /** The shown job is queued, running or paused. */
  public BooleanBinding activeBinding() {
    return shown.activeBinding();
  }

  // ---- commands ------------------------------------------------------------------------------

  /**
   * Starts a CALM run in {@code PROJECT/runs/lm-<timestamp>}. Returns the job, or null when nothing
   * was started (invalid settings, no project, a CALM run already active); the reason is in {@link
   * #statusProperty()}.
   */
  public Job train() {
    Path out = prepare(calmActive, "A CALM run is already going; stop it first.", "lm");
    if (out == null) {
      return null;
    }
    LmTraining.Options options = request(out);
    Path project = ctx.project().folder();
    points.removeIf(p -> !p.baseline());
    runFolder.set(out);
    status.set("Training CALM into " + out);
    Job j = ctx.service().submit(
        JobSpec.of("Train CALM " + out.getFileName(), KIND).pausable().needsEngine(),
        c -> LmTraining.run(options, listener(c, false, project), c.control()),
        r -> finished(r, "CALM", "energy loss"));
    track(j, calmJob, calmState);
    return j;
  }

  /**
   * What {@link #train()} asks the backend for: the project's corpus, the selected autoencoder and
   * the sheet, which holds the project's layer ({@link ProjectLayer}: its seed, split and presets.lm)
   * under the page's edits, as {@code calm lm train --project} with the edits as {@code --set} would.
   */
  public LmTraining.Options request(Path out) {
    return new LmTraining.Options(autoencoder.get().dir(), ctx.project().corpusPaths(), out, "energy",
        inputMode.get(), preset.get(), form.sets(LmTraining.settableKeys(HeadType.ENERGY), Map.of()), null, null, null, false);
  }

  /**
   * Starts the AR baseline in {@code PROJECT/runs/ar-<timestamp>}: the selected autoencoder's
   * tokenizer, the same corpus and split, the sheet's backbone, training and context settings (the
   * energy-head settings do not apply). Its context is CALM's in tokens: context_chunks x K / 4
   * AR chunks of 4 tokens. Returns null when nothing was started.
   */
  public Job trainBaseline() {
    Path out = prepare(arActive, "An AR baseline run is already going; stop it first.", "ar");
    if (out == null) {
      return null;
    }
    Map<String, Number> values = form.values();
    int k = aeConfig.patchSize();
    int arChunks = baselineContextChunks();
    ArTraining.Options options = baselineRequest(out);
    Path project = ctx.project().folder();
    points.removeIf(LmPoint::baseline);
    baselineFolder.set(out);
    status.set("Training the AR baseline into " + out + (k == ArTrainer.REFERENCE_PATCH_SIZE ? ""
        : String.format(Locale.ROOT, " (context %d tokens = %d chunks of 4, as CALM's %d chunks of K=%d)",
            arChunks * 4, arChunks, values.get("context_chunks").intValue(), k)));
    Job j = ctx.service().submit(
        JobSpec.of("Train AR baseline " + out.getFileName(), AR_KIND).pausable().needsEngine(),
        c -> ArTraining.run(options, listener(c, true, project), c.control()),
        r -> finished(r, "AR baseline", "cross-entropy"));
    track(j, arJob, arState);
    return j;
  }

  /**
   * What {@link #trainBaseline()} asks the backend for: the sheet's backbone, training, context and
   * split settings (the project's seed and validation_fraction among them, so CALM and the baseline
   * see the same split), with the context in AR chunks ({@link #baselineContextChunks()}).
   */
  public ArTraining.Options baselineRequest(Path out) {
    Map<String, String> replace = Map.of("context_chunks", Integer.toString(baselineContextChunks()));
    return new ArTraining.Options(autoencoder.get().dir(), ctx.project().corpusPaths(), out, preset.get(),
        form.sets(ArTraining.settableKeys(), replace), null, null, null, false);
  }

  /** CALM's context in tokens as AR chunks of 4 tokens: context_chunks x K / 4, at least 2. */
  private int baselineContextChunks() {
    return Math.max(2, form.values().get("context_chunks").intValue() * aeConfig.patchSize() / ArTrainer.REFERENCE_PATCH_SIZE);
  }

  public void pause() {
    shown.pause();
  }

  public void resume() {
    shown.resume();
  }

  /** Stops the shown job (the backend saves a checkpoint first); a queued job of this page otherwise. */
  public void stop() {
    Job j = shown.jobProperty().get();
    if (j == null || j.state().isFinal()) {
      j = calmJob.get() != null && !calmJob.get().state().isFinal() ? calmJob.get() : arJob.get();
    }
    if (j != null && !j.state().isFinal()) {
      status.set("Stopping " + j.name() + ": saving a checkpoint…");
      j.cancel();
    }
  }

  /** Re-reads the project's autoencoder checkpoints, keeping the selection when it still exists. */
  public void refreshAutoencoders() {
    Project p = ctx.project();
    showAutoencoders(p == null ? List.of() : RunStore.autoencoders(p.folder()));
  }

  /** Shows {@code list}, keeping the selection when it is still there, else selecting the newest. */
  private void showAutoencoders(List<RunStore.Checkpoint> list) {
    autoencoders.setAll(list);
    autoencoder.set(Checkpoints.reselect(list, autoencoder.get()));
  }

  // ---- internals -----------------------------------------------------------------------------

  /** Checks that a run may start; returns its new folder, or null with the reason in the status. */
  private Path prepare(BooleanBinding alreadyActive, String busy, String prefix) {
    Project p = ctx.project();
    if (p == null) {
      status.set("Open a project first (Project page).");
      return null;
    }
    if (!form.isValid()) {
      status.set("Not started: fix the settings first.");
      return null;
    }
    if (alreadyActive.get()) {
      status.set(busy);
      return null;
    }
    try {
      return p.newRunFolder(prefix);
    } catch (IOException e) {
      ctx.service().errors().report("Train", e);
      return null;
    }
  }

  private CalmConfig calmConfig(Map<String, Number> values) {
    return LmPresets.get(preset.get()).calmConfig(aeConfig.vocabSize(), aeConfig.patchSize(), aeConfig.latentSize(),
        HeadType.ENERGY).with(values);
  }

  private AeTraining.Listener listener(JobContext c, boolean baseline, Path project) {
    return new AeTraining.Listener() {
      @Override
      public void onProgress(TrainingLoop.Progress p) {
        String text = String.format(Locale.ROOT, "%s · step %d%s · loss %.4f · %.0f tokens/s", baseline ? "AR baseline" : "CALM",
            p.step(), p.totalSteps() > 0 ? "/" + p.totalSteps() : "", p.loss(), p.tokensPerSecond());
        c.progress(p.fraction(), p.etaSeconds(), text);
        Double gain = p.evalMetric(CalmTrainer.CONTEXT_GAIN_KEY);
        if (gain != null) {
          c.log("step " + p.step() + ": " + EnergyLevels.describeGain(gain));
        }
        for (LmPoint m : points(p, baseline)) {
          c.append("points", m, points::addAll);
        }
      }

      @Override
      public void onStage(String stage, double fraction) {
        c.progress(fraction > 0 ? fraction : -1, Double.NaN, stage);
      }

      @Override
      public void onWarning(String warning) {
        c.log("warning: " + warning);
      }

      @Override
      public void onSplit(TokenizedCorpus.Split split) {
        c.log(split.describe());
      }

      @Override
      public void onCheckpoint(long step, Path dir) {
        c.latest("checkpoint", Events.CheckpointSaved.read(dir, project), ctx.bus()::publish);
      }
    };
  }

  /**
   * The chart points of one progress report: the training loss at every report; held-out loss and
   * Brier-1..4 / BrierLM at evaluations. The AR baseline gives only its Brier points (its loss is a
   * cross-entropy, not comparable with the energy loss). FLOPs are the trainer's count, as in metrics.jsonl.
   */
  static List<LmPoint> points(TrainingLoop.Progress p, boolean baseline) {
    List<LmPoint> out = new ArrayList<>(7);
    long step = p.step();
    double flops = p.trainFlops();
    String prefix = baseline ? AR_PREFIX : "";
    if (!baseline) {
      out.add(new LmPoint(CHART_LOSS, SERIES_LOSS, false, step, flops, p.loss()));
      Double v = p.evalMetric("valid_energy_loss");
      if (v != null) {
        out.add(new LmPoint(CHART_LOSS, SERIES_VALID_LOSS, false, step, flops, v));
      }
      Double marginal = p.evalMetric(CalmTrainer.MARGINAL_KEY);
      Double oracle = p.evalMetric(CalmTrainer.ORACLE_KEY);
      if (marginal != null && oracle != null) {
        out.add(new LmPoint(CHART_LOSS, SERIES_MARGINAL, false, step, flops, marginal));
        out.add(new LmPoint(CHART_LOSS, SERIES_ORACLE, false, step, flops, oracle));
      }
      Double onManifold = p.evalMetric(CalmTrainer.ON_MANIFOLD_KEY);
      if (onManifold != null) {
        out.add(new LmPoint(CHART_BRIER_N, SERIES_ON_MANIFOLD, false, step, flops, onManifold));
      }
    }
    for (int n = 1; n <= 4; n++) {
      Double b = p.evalMetric("brier_" + n);
      if (b != null) {
        out.add(new LmPoint(CHART_BRIER_N, prefix + brierSeries(n), baseline, step, flops, b));
      }
    }
    Double lm = p.evalMetric("brier_lm");
    if (lm != null) {
      out.add(new LmPoint(CHART_BRIER, prefix + SERIES_BRIER_LM, baseline, step, flops, lm));
    }
    return out;
  }

  /** The Brier points of an AR run already on disk (its metrics.jsonl), for the overlay. */
  static List<LmPoint> baselinePoints(RunStore.Run run) {
    List<LmPoint> out = new ArrayList<>();
    for (MetricsLog.Row r : run.rows()) {
      for (int n = 1; n <= 5; n++) {
        String key = n <= 4 ? "brier_" + n : "brier_lm";
        Double v = r.values().get(key);
        if (v != null) {
          out.add(new LmPoint(n <= 4 ? CHART_BRIER_N : CHART_BRIER, AR_PREFIX + (n <= 4 ? brierSeries(n) : SERIES_BRIER_LM), true, r.step(),
              r.get(MetricsLog.TRAIN_FLOPS), v));
        }
      }
    }
    return out;
  }

  private void finished(TrainingLoop.Result r, String what, String lossName) {
    String how = "stopped".equals(r.stopReason()) ? what + " stopped at step " + r.steps()
        : what + " finished " + r.steps() + " steps";
    double brier = Double.NaN;
    boolean baseline = what.startsWith("AR");
    for (int i = points.size() - 1; i >= 0; i--) {
      LmPoint p = points.get(i);
      if (p.baseline() == baseline && p.series().endsWith(SERIES_BRIER_LM)) {
        brier = p.y();
        break;
      }
    }
    status.set(String.format(Locale.ROOT, "%s in %s, final %s %.4f%s; checkpoint in %s", how,
        Durations.format(r.elapsedSeconds()), lossName, r.finalLoss(),
        Double.isNaN(brier) ? "" : String.format(Locale.ROOT, ", BrierLM %.4f", brier), r.checkpoint()));
  }

  /** Follows {@code j}: its state into {@code state}; it becomes the shown job when submitted and when it starts. */
  private void track(Job j, ReadOnlyObjectWrapper<Job> slot, ReadOnlyObjectWrapper<JobState> state) {
    slot.set(j);
    state.set(j.state());
    j.stateProperty().addListener((o, a, s) -> {
      state.set(s);
      if (s == JobState.RUNNING && shown.jobProperty().get() != j) {
        show(j);
      }
      showEnd(j, s);
    });
    showEnd(j, j.state()); // a job that already ended (a same-thread executor runs it inside submit)
    Job current = shown.jobProperty().get();
    if (current == null || current.state().isFinal() || j.state() != JobState.QUEUED) {
      show(j);
    }
  }

  private void show(Job j) {
    shown.follow(j);
  }

  private void applyPreset(String name) {
    LmPresets.Preset p = LmPresets.get(name);
    form.fill(p.model());
    form.fill(p.train().toMap());
    form.fill(p.lm().toMap());
    form.fill(DataSplit.DEFAULT.toMap());
    form.fill(projectLayer, LmTraining.settableKeys());
  }

  /**
   * On a new project: its autoencoders, its settings ({@link ProjectLayer}: seed, validation_fraction,
   * {@code presets.lm}: preset, input_mode, any setting), and the newest AR run's curves for the overlay.
   */
  private void onProject(Project p) {
    refreshAutoencoders();
    points.clear();
    baselineFolder.set(null);
    projectLayer = ProjectLayer.of(p, LmPresets.DEFAULT, "lm", LmTraining.settableKeys(), Set.of("input_mode", "head"),
        this::warn);
    if (presets.contains(projectLayer.preset()) && !projectLayer.preset().equals(preset.get())) {
      preset.set(projectLayer.preset()); // applies it, with the project's layer
    } else {
      applyPreset(preset.get());
    }
    if (p == null) {
      return;
    }
    if (!presets.contains(projectLayer.preset())) {
      warn(p.file() + ": 'presets.lm.preset' is \"" + projectLayer.preset() + "\", not a preset; known: "
          + String.join(", ", presets));
    }
    try {
      inputMode.set(InputMode.parse(projectLayer.choice("input_mode", inputMode.get().key())));
    } catch (CalmException e) {
      warn(p.file() + ": 'presets.lm.input_mode': " + e.getMessage());
    }
    String head = projectLayer.choice("head", HeadType.ENERGY.key());
    if (!head.equals(HeadType.ENERGY.key())) {
      warn(p.file() + ": 'presets.lm.head' is \"" + head + "\"; this page trains the energy head (train the "
          + head + " head with calm lm train --project " + p.folder() + ")");
    }
    loadNewestBaseline(p);
    form.validate();
  }

  private void warn(String message) {
    ctx.service().log().warn(message);
    status.set(message);
  }

  /** The project's newest AR run on disk, for the overlay until one is trained here. */
  private void loadNewestBaseline(Project p) {
    try {
      List<Path> dirs = RunStore.runDirs(p.folder());
      RunStore.Run newest = null;
      for (Path d : dirs) {
        try {
          RunStore.Run r = RunStore.read(d);
          if (r != null && RunStore.AR.equals(r.type()) && (newest == null || r.date().isAfter(newest.date()))) {
            newest = r;
          }
        } catch (CalmException e) {
          ctx.service().log().warn(e.getMessage());
        }
      }
      if (newest != null) {
        baselineFolder.set(newest.dir());
        points.addAll(baselinePoints(newest));
      }
    } catch (IOException e) {
      ctx.service().log().warn("cannot list " + p.folder().resolve(Project.RUNS) + ": " + e.getMessage());
    }
  }

  private void readAutoencoder(RunStore.Checkpoint info) {
    aeConfig = null;
    aeProblem = "";
    if (info == null) {
      return;
    }
    try {
      aeConfig = AutoencoderConfig.read(info.dir().resolve(TrainingLoop.CONFIG));
      if (!java.nio.file.Files.isRegularFile(info.dir().resolve("tokenizer.json"))) {
        aeProblem = "the autoencoder " + info.dir() + " has no tokenizer.json; train it on the Autoencoder training page";
        aeConfig = null;
      }
    } catch (CalmException e) {
      aeProblem = e.getMessage();
    }
  }

  private void showEnd(Job j, JobState s) {
    if (s == JobState.FAILED) {
      status.set("Training failed: " + j.messageProperty().get());
    } else if (s == JobState.CANCELLED && j.progressProperty().get() <= 0) {
      status.set(j.name() + ": cancelled before training started.");
    }
  }
}
