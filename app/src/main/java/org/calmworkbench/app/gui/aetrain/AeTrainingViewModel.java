package org.calmworkbench.app.gui.aetrain;

import static org.calmworkbench.backend.config.Setting.intSetting;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.calmworkbench.app.gui.WorkbenchContext;
import org.calmworkbench.app.gui.common.Events;
import org.calmworkbench.app.gui.common.MetricPoint;
import org.calmworkbench.app.gui.common.ProjectLayer;
import org.calmworkbench.app.gui.settings.SettingField;
import org.calmworkbench.app.gui.settings.SettingsForm;
import org.calmworkbench.app.gui.service.Durations;
import org.calmworkbench.app.gui.service.FollowedJob;
import org.calmworkbench.app.gui.service.Job;
import org.calmworkbench.app.gui.service.JobCommands;
import org.calmworkbench.app.gui.service.JobContext;
import org.calmworkbench.app.gui.service.JobSpec;
import org.calmworkbench.app.gui.service.JobState;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.config.Setting;
import org.calmworkbench.backend.data.TokenizedCorpus;
import org.calmworkbench.backend.model.AutoencoderConfig;
import org.calmworkbench.backend.project.Project;
import org.calmworkbench.backend.project.RunStore;
import org.calmworkbench.backend.project.StageSettings;
import org.calmworkbench.backend.tokenizer.BpeTrainer;
import org.calmworkbench.backend.train.AePresets;
import org.calmworkbench.backend.train.TrainConfig;
import org.calmworkbench.backend.train.TrainingLoop;
import org.calmworkbench.backend.workflow.AeTraining;

/**
 * The Autoencoder training page's state and commands: a preset and every setting (validated as
 * the CLI validates {@code --set}), Train / Pause / Resume / Stop, progress with ETA, the live
 * curves as {@link MetricPoint}s, and the project's autoencoder checkpoints.
 */
public final class AeTrainingViewModel implements JobCommands {
  public static final String KIND = "ae-train";
  public static final String CHART_CE = "ce";
  public static final String CHART_KL = "kl";
  public static final String CHART_ACCURACY = "accuracy";
  public static final String SERIES_CE = "reconstruction CE (train)";
  public static final String SERIES_KL = "KL (train)";
  public static final String SERIES_TRAIN_ACC = "token accuracy (train)";
  public static final String SERIES_VALID_ACC = "token accuracy (held-out)";
  public static final String SERIES_VALID_CHUNK_ACC = "chunk accuracy (held-out)";

  static final String MODEL_CATEGORY = "1 · Model (autoencoder)";
  static final String TRAIN_CATEGORY = "2 · Training";
  static final String TOKENIZER_CATEGORY = "3 · Tokenizer";
  /** The tokenizer's vocabulary, trained with the run (not an autoencoder setting: V comes from the tokenizer). */
  static final Setting VOCAB = intSetting("vocab_size", BpeTrainer.MIN_VOCAB_SIZE, 1 << 20,
      "Tokens V in the byte-level BPE vocabulary trained on the corpus for this run (256 bytes plus merges).");

  private final WorkbenchContext ctx;
  private final ObservableList<String> presets =
      FXCollections.observableArrayList(AePresets.ALL.stream().map(AePresets.Preset::name).toList());
  private final ObjectProperty<String> preset = new SimpleObjectProperty<>(this, "preset", AePresets.DEFAULT);
  private final SettingsForm form = new SettingsForm(this::checkValues);
  private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "");
  private final ReadOnlyObjectWrapper<Path> runFolder = new ReadOnlyObjectWrapper<>(this, "runFolder");
  private final ObservableList<MetricPoint> points = FXCollections.observableArrayList();
  private final ObservableList<RunStore.Checkpoint> checkpoints = FXCollections.observableArrayList();
  private final FollowedJob followed = new FollowedJob();
  private final BooleanBinding active = followed.activeBinding();
  private final BooleanBinding canTrain;
  /** Built-in preset → project.json, under the sheet's edits; the built-in preset alone without a project. */
  private StageSettings projectLayer = StageSettings.builtIn(AePresets.DEFAULT);

  public AeTrainingViewModel(WorkbenchContext ctx) {
    this.ctx = ctx;
    for (Setting s : AutoencoderConfig.SETTINGS) {
      if (!s.key().equals("vocab_size")) {
        form.add(new SettingField(s, MODEL_CATEGORY));
      }
    }
    for (Setting s : TrainConfig.SETTINGS) {
      form.add(new SettingField(s, TRAIN_CATEGORY));
    }
    form.add(new SettingField(VOCAB, TOKENIZER_CATEGORY));
    preset.addListener((o, a, b) -> applyPreset(b));
    applyPreset(preset.get());
    form.field("vocab_size").set(AeTraining.DEFAULT_VOCAB_SIZE);

    canTrain = form.validProperty().and(active.not()).and(ctx.projectProperty().isNotNull());
    ctx.projectProperty().addListener((o, a, p) -> onProject(p));
    ctx.bus().subscribe(Events.CheckpointSaved.class, e -> checkpoints.setAll(e.checkpoints().autoencoders()));
    onProject(ctx.project());
  }

  // ---- properties ----------------------------------------------------------------------------

  public ObservableList<String> presets() {
    return presets;
  }

  public ObjectProperty<String> presetProperty() {
    return preset;
  }

  /** Every setting, model first, then training, then tokenizer. */
  public List<SettingField> fields() {
    return form.fields();
  }

  public SettingField field(String key) {
    return form.field(key);
  }

  /** Empty when every setting is valid; otherwise what is wrong, one problem per line. */
  public ReadOnlyStringProperty validationMessageProperty() {
    return form.validationMessageProperty();
  }

  public ReadOnlyBooleanProperty validProperty() {
    return form.validProperty();
  }

  /** The current (or last) training job. */
  public ReadOnlyObjectProperty<Job> jobProperty() {
    return followed.jobProperty();
  }

  public ReadOnlyObjectProperty<JobState> jobStateProperty() {
    return followed.stateProperty();
  }

  /** Fraction done, -1 while unknown. */
  public ReadOnlyDoubleProperty progressProperty() {
    return followed.progressProperty();
  }

  public ReadOnlyStringProperty etaTextProperty() {
    return followed.textProperty();
  }

  public ReadOnlyStringProperty statusProperty() {
    return status.getReadOnlyProperty();
  }

  /** Where the current (or last) run writes. */
  public ReadOnlyObjectProperty<Path> runFolderProperty() {
    return runFolder.getReadOnlyProperty();
  }

  /** The curves of the current run; cleared when a new run starts. */
  public ObservableList<MetricPoint> points() {
    return points;
  }

  public ObservableList<RunStore.Checkpoint> checkpoints() {
    return checkpoints;
  }

  public BooleanBinding canTrainBinding() {
    return canTrain;
  }

  /** A training job is queued, running or paused. */
  public BooleanBinding activeBinding() {
    return active;
  }

  // ---- commands ------------------------------------------------------------------------------

  /**
   * Starts a run in {@code PROJECT/runs/ae-<timestamp>} with the current settings. Returns the
   * job, or null when nothing was started (invalid settings, no project, a run already active);
   * the reason is in {@link #statusProperty()}.
   */
  public Job train() {
    Project p = ctx.project();
    if (p == null) {
      status.set("Open a project first (Project page).");
      return null;
    }
    if (!form.isValid()) {
      status.set("Not started: fix the settings first.");
      return null;
    }
    if (active.get()) {
      status.set("A run is already going; stop it first.");
      return null;
    }
    Path out;
    try {
      out = p.newRunFolder("ae");
    } catch (IOException e) {
      ctx.service().errors().report("Train autoencoder", e);
      return null;
    }
    AeTraining.Options options = request(out);
    Path project = p.folder();
    points.clear();
    runFolder.set(out);
    status.set("Training into " + out);
    Job j = ctx.service().submit(
        JobSpec.of("Train autoencoder " + out.getFileName(), KIND).pausable().needsEngine(),
        c -> AeTraining.run(options, listener(c, project), c.control()),
        this::finished);
    watch(j);
    return j;
  }

  /**
   * What {@link #train()} asks the backend for: the project's corpus and the sheet's settings on top
   * of the project's layer (its seed and validation_fraction among them), as {@code calm ae train
   * --project} with the sheet's values as {@code --set} would.
   */
  public AeTraining.Options request(Path out) {
    Project p = ctx.project();
    List<String> sets = form.sets(f -> f.setting() != VOCAB);
    StageSettings settings = projectLayer.withCommandLine(preset.get(), sets);
    int vocab = field("vocab_size").value().intValue();
    return new AeTraining.Options(p.corpusPaths(), out, null, vocab, settings.preset(), settings.sets(),
        null, null, null, false);
  }

  public void pause() {
    followed.pause();
  }

  public void resume() {
    followed.resume();
  }

  /** Stops the run; the backend saves a checkpoint first. */
  public void stop() {
    if (followed.stop()) {
      status.set("Stopping: saving a checkpoint…");
    }
  }

  /** Re-reads the project's runs folder. */
  public void refreshCheckpoints() {
    Project p = ctx.project();
    checkpoints.setAll(p == null ? List.of() : RunStore.autoencoders(p.folder()));
  }

  /** Stores the preset and every setting in project.json ({@code presets.autoencoder}), to share as one file. */
  public void saveAsProjectDefaults() {
    Project p = ctx.project();
    if (p == null || !form.isValid()) {
      status.set(p == null ? "Open a project first." : "Fix the settings first.");
      return;
    }
    JsonObject ae = new JsonObject();
    ae.addProperty("preset", preset.get());
    form.values().forEach((k, v) -> {
      if (!k.equals(VOCAB.key())) {
        ae.addProperty(k, v);
      }
    });
    JsonObject tok = p.preset("tokenizer");
    tok.addProperty("vocab_size", field("vocab_size").value());
    try {
      Project updated = p.withPreset("autoencoder", ae).withPreset("tokenizer", tok);
      updated.save();
      ctx.setProject(updated);
      status.set("Saved these settings as the project's defaults in " + updated.file());
    } catch (IOException | CalmException e) {
      ctx.service().errors().report("Save settings", e);
    }
  }

  // ---- internals -----------------------------------------------------------------------------

  private AeTraining.Listener listener(JobContext c, Path project) {
    return new AeTraining.Listener() {
      @Override
      public void onProgress(TrainingLoop.Progress p) {
        String text = String.format(Locale.ROOT, "step %d%s · loss %.4f · %.0f tokens/s", p.step(),
            p.totalSteps() > 0 ? "/" + p.totalSteps() : "", p.loss(), p.tokensPerSecond());
        c.progress(p.fraction(), p.etaSeconds(), text);
        for (MetricPoint m : points(p)) {
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

  /** The chart points of one progress report. */
  static List<MetricPoint> points(TrainingLoop.Progress p) {
    List<MetricPoint> out = new ArrayList<>(5);
    double x = p.step();
    out.add(new MetricPoint(CHART_CE, SERIES_CE, x, p.term("ce")));
    out.add(new MetricPoint(CHART_KL, SERIES_KL, x, p.term("kl")));
    out.add(new MetricPoint(CHART_ACCURACY, SERIES_TRAIN_ACC, x, p.term("token_accuracy")));
    Double v = p.evalMetric("valid_token_accuracy");
    if (v != null) {
      out.add(new MetricPoint(CHART_ACCURACY, SERIES_VALID_ACC, x, v));
    }
    Double c = p.evalMetric("valid_patch_accuracy");
    if (c != null) {
      out.add(new MetricPoint(CHART_ACCURACY, SERIES_VALID_CHUNK_ACC, x, c));
    }
    return out;
  }

  private void finished(TrainingLoop.Result r) {
    String how = "stopped".equals(r.stopReason()) ? "Stopped at step " + r.steps() : "Finished " + r.steps() + " steps";
    status.set(String.format(Locale.ROOT, "%s in %s, final loss %.4f; checkpoint in %s", how,
        Durations.format(r.elapsedSeconds()), r.finalLoss(), r.checkpoint()));
  }

  private void watch(Job j) {
    followed.follow(j);
    j.stateProperty().addListener((o, a, s) -> showEnd(j, s));
    showEnd(j, j.state()); // a job that already ended (a same-thread executor runs it inside submit)
  }

  private void showEnd(Job j, JobState s) {
    if (s == JobState.FAILED) {
      status.set("Training failed: " + j.messageProperty().get());
    } else if (s == JobState.CANCELLED && j.progressProperty().get() <= 0) {
      status.set("Cancelled before training started.");
    }
  }

  /** The preset's values, then the project's layer on top (as the CLI's {@code --preset} under {@code --project}). */
  private void applyPreset(String name) {
    AePresets.Preset p = AePresets.get(name);
    form.fill(p.model());
    form.fill(p.train().toMap());
    form.fill(projectLayer, AeTraining.settableKeys());
  }

  /** On a new project: its autoencoder settings (seed, presets.autoencoder), its vocabulary, its checkpoints. */
  private void onProject(Project p) {
    refreshCheckpoints();
    projectLayer = ProjectLayer.of(p, AePresets.DEFAULT, "autoencoder", AeTraining.settableKeys(), Set.of(), this::warn);
    if (presets.contains(projectLayer.preset()) && !projectLayer.preset().equals(preset.get())) {
      preset.set(projectLayer.preset()); // applies it, with the project's layer
    } else {
      applyPreset(preset.get());
    }
    if (p == null) {
      return;
    }
    if (!presets.contains(projectLayer.preset())) {
      warn(p.file() + ": 'presets.autoencoder.preset' is \"" + projectLayer.preset() + "\", not a preset; known: "
          + String.join(", ", presets));
    }
    JsonObject tok = p.preset("tokenizer");
    if (tok.has("vocab_size")) {
      form.field("vocab_size").textProperty().set(tok.get("vocab_size").getAsString());
    }
  }

  private void warn(String message) {
    ctx.service().log().warn(message);
    status.set(message);
  }

  /** The checks that span fields: the preset's model with these values (even layers and the like). */
  private void checkValues(Map<String, Number> values) {
    AePresets.get(preset.get()).modelConfig(values.get("vocab_size").intValue()).with(values);
  }
}
