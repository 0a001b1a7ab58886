package org.calmworkbench.app.gui.experiments;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.calmworkbench.app.cli.ExperimentWorkers;
import org.calmworkbench.app.gui.StartupProject;
import org.calmworkbench.app.gui.WorkbenchContext;
import org.calmworkbench.app.gui.common.MetricPoint;
import org.calmworkbench.app.gui.service.FollowedJob;
import org.calmworkbench.app.gui.service.Job;
import org.calmworkbench.app.gui.service.JobCommands;
import org.calmworkbench.app.gui.service.JobContext;
import org.calmworkbench.app.gui.service.JobSpec;
import org.calmworkbench.app.gui.service.JobState;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.experiment.CellResult;
import org.calmworkbench.backend.experiment.Experiment;
import org.calmworkbench.backend.experiment.ExperimentCell;
import org.calmworkbench.backend.experiment.ExperimentRunner;
import org.calmworkbench.backend.experiment.SummaryRow;
import org.calmworkbench.backend.project.Project;
import org.calmworkbench.backend.project.RunStore;
import org.calmworkbench.backend.train.MetricsLog;

/**
 * The Experiments page's state and commands: the experiment files (the project's {@code
 * experiments/} and the bundled samples, or any file opened), the grid and budget of the chosen one
 * as editable text ({@link GridEdit}), validated by the backend's own parser so every message is the
 * CLI's, naming the key; Save as; Run / Pause / Resume / Stop of the whole grid as one job
 * ({@link ExperimentRunner#run}, as {@code calm experiment run}) with progress and ETA over the
 * grid; one row per cell that fills in as cells finish (finished cells of an earlier run are read
 * from the results folder at once), the summary over seeds, and the chart points.
 */
public final class ExperimentsViewModel implements JobCommands {
  public static final String KIND = "experiment";
  /** BrierLM against training FLOPs (autoencoder + language model), one series per K and the AR baseline. */
  public static final String CHART_TRAIN = "brier-train-flops";
  /** BrierLM against inference FLOPs per generated token. */
  public static final String CHART_INFER = "brier-infer-flops";
  public static final String AR_SERIES = "AR baseline";
  public static final String STEPS_SERIES = "generation steps per 100 tokens";

  /** One bar: a series, its category (K: "4"; "AR") and the value. */
  public record Bar(String series, String category, double value) {}

  private final WorkbenchContext ctx;
  private final Path samples; // the bundled sample experiments; null when not found
  private final Set<Path> opened = new LinkedHashSet<>(); // files opened from elsewhere, kept in the list
  private final ObservableList<Path> files = FXCollections.observableArrayList();
  private final ObjectProperty<Path> file = new SimpleObjectProperty<>(this, "file");
  private final ReadOnlyStringWrapper name = new ReadOnlyStringWrapper(this, "name", "");
  private final ReadOnlyStringWrapper description = new ReadOnlyStringWrapper(this, "description", "");
  private final StringProperty patchSizes = new SimpleStringProperty(this, "patchSizes", "");
  private final StringProperty heads = new SimpleStringProperty(this, "heads", "");
  private final StringProperty inputs = new SimpleStringProperty(this, "inputs", "");
  private final StringProperty latentSizes = new SimpleStringProperty(this, "latentSizes", "");
  private final StringProperty seeds = new SimpleStringProperty(this, "seeds", "");
  private final BooleanProperty includeAr = new SimpleBooleanProperty(this, "includeAr", false);
  private final ObjectProperty<Experiment.Budget.Kind> budgetKind =
      new SimpleObjectProperty<>(this, "budgetKind", Experiment.Budget.Kind.STEPS);
  private final StringProperty budgetValue = new SimpleStringProperty(this, "budgetValue", "");
  private final StringProperty autoencoderSteps = new SimpleStringProperty(this, "autoencoderSteps", "");
  private final ReadOnlyStringWrapper validationMessage = new ReadOnlyStringWrapper(this, "validationMessage", "");
  private final ReadOnlyBooleanWrapper valid = new ReadOnlyBooleanWrapper(this, "valid", false);
  private final ReadOnlyObjectWrapper<Path> outputFolder = new ReadOnlyObjectWrapper<>(this, "outputFolder");
  private final ObservableList<CellRow> cells = FXCollections.observableArrayList();
  private final ObservableList<SummaryRow> summary = FXCollections.observableArrayList();
  private final ObservableList<MetricPoint> points = FXCollections.observableArrayList();
  private final ObservableList<Bar> bars = FXCollections.observableArrayList();

  private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "");
  private final FollowedJob followed = new FollowedJob();
  private final BooleanBinding active = followed.activeBinding();
  private final BooleanBinding canRun;

  private JsonObject raw; // the chosen file as read; null when it is not a JSON object
  private String rawText = ""; // the file's text, for the parser's message when raw is null
  private Experiment experiment; // the edited grid, when valid
  private Experiment shown; // the experiment the rows belong to (the running one while a job runs)
  private final Map<String, List<double[]>> curves = new HashMap<>(); // cell id -> BrierLM during training
  private boolean loading; // while the fields are filled from a file
  private boolean refreshing; // while the file list is replaced
  private Path loaded; // the file the fields were filled from

  /** The page's view model: the bundled samples are looked up as the start-up project is ({@link StartupProject}). */
  public ExperimentsViewModel(WorkbenchContext ctx) {
    this(ctx, StartupProject.bundled(StartupProject.SAMPLE_EXPERIMENTS, Path.of("").toAbsolutePath(),
        System.getProperty("calm.home")));
  }

  /** @param samples the bundled sample experiments folder; null for none */
  public ExperimentsViewModel(WorkbenchContext ctx, Path samples) {
    this.ctx = ctx;
    this.samples = samples;
    canRun = valid.getReadOnlyProperty().and(active.not()).and(ctx.projectProperty().isNotNull());
    for (StringProperty p : List.of(patchSizes, heads, inputs, latentSizes, seeds, budgetValue, autoencoderSteps)) {
      p.addListener((o, a, b) -> validate());
    }
    includeAr.addListener((o, a, b) -> validate());
    budgetKind.addListener((o, a, b) -> validate());
    file.addListener((o, a, f) -> {
      if (!refreshing) {
        load(f);
      }
    });
    ctx.projectProperty().addListener((o, a, p) -> {
      refreshFiles();
      validate();
    });
    refreshFiles();
    validate();
  }

  // ---- properties ----------------------------------------------------------------------------

  /** The project's experiments/*.json, then the bundled samples, then files opened from elsewhere. */
  public ObservableList<Path> files() {
    return files;
  }

  /** The chosen experiment file; choosing one fills the grid fields from it. */
  public ObjectProperty<Path> fileProperty() {
    return file;
  }

  public ReadOnlyStringProperty nameProperty() {
    return name.getReadOnlyProperty();
  }

  public ReadOnlyStringProperty descriptionProperty() {
    return description.getReadOnlyProperty();
  }

  /** grid.patch_sizes as typed: "1, 2, 4, 8". */
  public StringProperty patchSizesProperty() {
    return patchSizes;
  }

  /** grid.heads ("energy, flow"); empty: the default (energy). */
  public StringProperty headsProperty() {
    return heads;
  }

  /** grid.inputs ("discrete, latent, both"); empty: the default (discrete). */
  public StringProperty inputsProperty() {
    return inputs;
  }

  /** grid.latent_sizes; empty: the autoencoder preset's. */
  public StringProperty latentSizesProperty() {
    return latentSizes;
  }

  /** grid.seeds; empty: the default (42). */
  public StringProperty seedsProperty() {
    return seeds;
  }

  /** grid.include_ar_baseline. */
  public BooleanProperty includeArBaselineProperty() {
    return includeAr;
  }

  /** Which budget the language model of each cell gets: steps, FLOPs or minutes. */
  public ObjectProperty<Experiment.Budget.Kind> budgetKindProperty() {
    return budgetKind;
  }

  public StringProperty budgetValueProperty() {
    return budgetValue;
  }

  /** budget.autoencoder_steps; empty: the autoencoder preset's steps. */
  public StringProperty autoencoderStepsProperty() {
    return autoencoderSteps;
  }

  /** Empty when the edited experiment is valid; otherwise the parser's message, naming the file and the key. */
  public ReadOnlyStringProperty validationMessageProperty() {
    return validationMessage.getReadOnlyProperty();
  }

  public ReadOnlyBooleanProperty validProperty() {
    return valid.getReadOnlyProperty();
  }

  /** Where the results go (and are read from): PROJECT/experiments-out/NAME; null without a project or a valid grid. */
  public ReadOnlyObjectProperty<Path> outputFolderProperty() {
    return outputFolder.getReadOnlyProperty();
  }

  /** One row per cell of the grid, in run order. */
  public ObservableList<CellRow> cells() {
    return cells;
  }

  /** Mean and standard deviation over seeds per configuration, of the finished cells. */
  public ObservableList<SummaryRow> summary() {
    return summary;
  }

  /**
   * The points of {@link #CHART_TRAIN} and {@link #CHART_INFER}: one per finished ok cell (plus, on the
   * training-FLOPs chart, the BrierLM measured during its training when there is any), each series
   * sorted by x.
   */
  public ObservableList<MetricPoint> points() {
    return points;
  }

  /** Generation steps per 100 tokens per K and for the AR baseline (100 / K: known before anything runs). */
  public ObservableList<Bar> bars() {
    return bars;
  }

  public ReadOnlyObjectProperty<Job> jobProperty() {
    return followed.jobProperty();
  }

  public ReadOnlyObjectProperty<JobState> jobStateProperty() {
    return followed.stateProperty();
  }

  /** Fraction of the whole grid done, -1 while unknown. */
  public ReadOnlyDoubleProperty progressProperty() {
    return followed.progressProperty();
  }

  public ReadOnlyStringProperty etaTextProperty() {
    return followed.textProperty();
  }

  public ReadOnlyStringProperty statusProperty() {
    return status.getReadOnlyProperty();
  }

  /** The experiment job is queued, running or paused. */
  public BooleanBinding activeBinding() {
    return active;
  }

  public BooleanBinding canRunBinding() {
    return canRun;
  }

  /** How the file list names {@code f}: its file name, "(sample)" for a bundled one. */
  public String label(Path f) {
    return f.getFileName() + (samples != null && f.startsWith(samples) ? "  (sample)" : "");
  }

  // ---- commands ------------------------------------------------------------------------------

  /** Re-lists the experiment files, keeping the chosen one (or choosing the first). */
  public void refreshFiles() {
    List<Path> list = new ArrayList<>();
    Project p = ctx.project();
    try {
      list.addAll(ExperimentFiles.list(p == null ? null : p.folder().resolve(ExperimentFiles.FOLDER), samples));
    } catch (IOException e) {
      ctx.service().log().warn("cannot list the experiment files: " + e.getMessage());
    }
    opened.stream().filter(f -> !list.contains(f)).forEach(list::add);
    Path keep = file.get();
    Path chosen = keep != null && list.contains(keep) ? keep : list.isEmpty() ? null : list.get(0);
    // A combo box showing the list clears its value (and so this one) while its items change: the
    // edits of the chosen file must survive that, so changes are ignored until the list is settled.
    refreshing = true;
    try {
      if (!files.equals(list)) {
        files.setAll(list);
      }
      file.set(chosen);
    } finally {
      refreshing = false;
    }
    if (!Objects.equals(chosen, loaded) || chosen == null) {
      load(chosen);
    }
  }

  /** Adds {@code f} (any experiment file) to the list and chooses it. */
  public void open(Path f) {
    Path abs = f.toAbsolutePath().normalize();
    opened.add(abs);
    refreshFiles();
    file.set(abs);
  }

  /**
   * Where "Save as" starts: the project's experiments/ folder (created, so a file saved there is
   * listed first), else the chosen file's folder.
   */
  public Path saveFolder() {
    Project p = ctx.project();
    if (p != null) {
      Path dir = p.folder().resolve(ExperimentFiles.FOLDER);
      try {
        Files.createDirectories(dir);
        return dir;
      } catch (IOException e) {
        ctx.service().log().warn("cannot create " + dir + ": " + e.getMessage());
      }
    }
    return file.get() == null ? null : file.get().toAbsolutePath().getParent();
  }

  /**
   * Writes the edited experiment to {@code target} (atomically), named after the file, with its
   * corpus and tokenizer paths made relative to the new folder; then chooses it. Returns false
   * (the reason in the status) when there is nothing to save.
   */
  public boolean saveAs(Path target) {
    Path from = file.get();
    if (from == null || raw == null) {
      status.set("Nothing to save: " + (from == null ? "choose an experiment file first." : from + " is not a JSON object."));
      return false;
    }
    JsonObject json = edit().applyTo(raw);
    String stem = target.getFileName().toString().replaceFirst("\\.json$", "");
    json.addProperty("name", stem);
    try {
      ExperimentFiles.save(json, from.toAbsolutePath().getParent(), target);
    } catch (IOException e) {
      ctx.service().errors().report("Save the experiment", e);
      return false;
    }
    open(target);
    status.set("Saved " + target.toAbsolutePath() + (valid.get() ? "" : " (it does not validate yet: see the message)"));
    return true;
  }

  /**
   * Runs the edited grid into {@link #outputFolderProperty()} as one job; finished cells are kept
   * (a second run resumes). Returns null when nothing was started; the reason is in the status.
   */
  public Job run() {
    Project p = ctx.project();
    if (p == null) {
      status.set("Open a project first (Project page): results go to its " + ExperimentFiles.OUT + " folder.");
      return null;
    }
    if (!valid.get()) {
      status.set("Not started: fix the experiment first.");
      return null;
    }
    if (active.get()) {
      status.set("An experiment is already running; stop it first.");
      return null;
    }
    Experiment x = experiment;
    Path out = outputFolder.get();
    shown = x;
    int todo = (int) cells.stream().filter(r -> !r.finished()).count();
    status.set("Running " + x.name() + ": " + todo + " of " + cells.size() + " cells to go, into " + out
        + (x.jobs() > 1 ? "; up to " + x.jobs() + " cell groups at once, in worker processes (the file's \"jobs\")" : ""));
    Job j = ctx.service().submit(JobSpec.of("Experiment " + x.name(), KIND).pausable().needsEngine(),
        c -> ExperimentRunner.run(new ExperimentRunner.Options(x, out, false, x.jobs(), ExperimentWorkers.INSTANCE),
            listener(c, out), c.control()),
        this::finished);
    watch(j);
    return j;
  }

  public void pause() {
    followed.pause();
  }

  public void resume() {
    followed.resume();
  }

  /** Stops the grid: the current training saves a checkpoint and its cell is left for the next run. */
  public void stop() {
    if (followed.stop()) {
      status.set("Stopping: the current training saves a checkpoint first…");
    }
  }

  // ---- internals -----------------------------------------------------------------------------

  private GridEdit edit() {
    return new GridEdit(patchSizes.get(), heads.get(), inputs.get(), latentSizes.get(), seeds.get(), includeAr.get(),
        budgetKind.get(), budgetValue.get(), autoencoderSteps.get());
  }

  /** Reads {@code f} and fills the fields from it. */
  private void load(Path f) {
    loaded = f;
    raw = null;
    rawText = "";
    GridEdit g = GridEdit.of(new JsonObject());
    if (f != null) {
      try {
        rawText = Files.readString(f);
        var e = JsonParser.parseString(rawText);
        raw = e.isJsonObject() ? e.getAsJsonObject() : null;
      } catch (IOException | RuntimeException e) {
        raw = null;
      }
      if (raw != null) {
        g = GridEdit.of(raw);
      }
    }
    loading = true;
    try {
      patchSizes.set(g.patchSizes());
      heads.set(g.heads());
      inputs.set(g.inputs());
      latentSizes.set(g.latentSizes());
      seeds.set(g.seeds());
      includeAr.set(g.includeArBaseline());
      budgetKind.set(g.budgetKind() == null ? Experiment.Budget.Kind.STEPS : g.budgetKind());
      budgetValue.set(g.budgetValue());
      autoencoderSteps.set(g.autoencoderSteps());
    } finally {
      loading = false;
    }
    validate();
  }

  /** Parses the edited file as the CLI would; then shows its cells (unless a run is showing its own). */
  private void validate() {
    if (loading) {
      return;
    }
    experiment = null;
    Path f = file.get();
    String problem = "";
    if (f == null) {
      problem = "Choose an experiment file, or open one.";
    } else {
      try {
        experiment = Experiment.parse(raw == null ? rawText : edit().applyTo(raw).toString(), f);
      } catch (CalmException e) {
        problem = e.getMessage();
      }
    }
    validationMessage.set(problem);
    valid.set(experiment != null);
    name.set(experiment != null ? experiment.name() : f == null ? "" : f.getFileName().toString().replaceFirst("\\.json$", ""));
    description.set(experiment != null ? experiment.description() : "");
    if (!active.get()) {
      showGrid();
    }
  }

  /** The rows of the edited grid: finished cells from its results folder, the rest pending. */
  private void showGrid() {
    shown = experiment;
    Project p = ctx.project();
    Path out = experiment == null || p == null ? null : ExperimentFiles.outputFolder(p.folder(), experiment);
    outputFolder.set(out);
    Map<String, CellResult> done = Map.of();
    if (out != null) {
      try {
        done = ExperimentRunner.readResults(out);
      } catch (IOException | CalmException e) {
        status.set("Cannot read the earlier results: " + e.getMessage());
      }
    }
    List<CellRow> rows = new ArrayList<>();
    curves.clear();
    if (experiment != null) {
      for (ExperimentCell c : experiment.cells()) {
        CellResult r = done.get(c.id());
        if (r != null) {
          curves.put(c.id(), trainingCurve(out, r));
        }
        rows.add(r == null ? CellRow.pending(c) : new CellRow(c, r, ""));
      }
    }
    cells.setAll(rows);
    derive();
  }

  /** A finished cell and its BrierLM curve during training (read on the service thread). */
  private record Finished(CellResult row, List<double[]> curve) {}

  private ExperimentRunner.Listener listener(JobContext c, Path out) {
    return new ExperimentRunner.Listener() {
      @Override
      public void onProgress(ExperimentRunner.Progress p) {
        c.progress(p.gridFraction(), p.etaSeconds(), p.where() + " · " + p.finishedCells() + "/" + p.cellCount() + " cells done");
        c.latest("cell", p, ExperimentsViewModel.this::showRunning);
      }

      @Override
      public void onCellFinished(CellResult row, int finishedCells, int cellCount) {
        c.append("rows", new Finished(row, trainingCurve(out, row)), ExperimentsViewModel.this::addResults);
      }

      @Override
      public void onWarning(String warning) {
        c.log("warning: " + warning);
      }
    };
  }

  /** Marks the running cells (and only them) as running, with how far each is (stages are in the progress line). */
  private void showRunning(ExperimentRunner.Progress p) {
    for (int i = 0; i < cells.size(); i++) {
      CellRow r = cells.get(i);
      if (r.finished()) {
        continue;
      }
      double f = p.fractionOf(r.id());
      String state = Double.isNaN(f) ? CellRow.PENDING : String.format(Locale.ROOT, "running %.0f%%", 100 * f);
      if (!state.equals(r.state())) {
        cells.set(i, new CellRow(r.cell(), null, state));
      }
    }
  }

  private void addResults(List<Finished> rows) {
    for (Finished f : rows) {
      CellResult res = f.row();
      curves.put(res.cellId(), f.curve());
      for (int i = 0; i < cells.size(); i++) {
        if (cells.get(i).id().equals(res.cellId())) {
          cells.set(i, new CellRow(cells.get(i).cell(), res, ""));
        }
      }
    }
    derive();
  }

  private void finished(ExperimentRunner.Result r) {
    Map<String, CellResult> byId = new LinkedHashMap<>();
    r.rows().forEach(row -> byId.put(row.cellId(), row));
    clearRunning(byId);
    long failed = r.rows().stream().filter(row -> !row.ok()).count();
    String failures = failed == 0 ? "" : " (" + failed + " failed: see the status column)";
    status.set(r.stopped()
        ? "Stopped after " + r.rows().size() + " of " + r.cellCount() + " cells" + failures
            + "; Run continues where it stopped (finished cells are kept)."
        : r.rows().size() + " of " + r.cellCount() + " cells done (" + r.ran() + " now, " + r.skipped() + " before)"
            + failures + "; results in " + r.out().resolve(ExperimentRunner.RESULTS_CSV) + " and "
            + ExperimentRunner.SUMMARY_CSV + ".");
  }

  /** Every row without a result back to pending, the results in {@code byId} filled in. */
  private void clearRunning(Map<String, CellResult> byId) {
    for (int i = 0; i < cells.size(); i++) {
      CellRow row = cells.get(i);
      CellResult res = byId.getOrDefault(row.id(), row.result());
      CellRow now = res == null ? CellRow.pending(row.cell()) : new CellRow(row.cell(), res, "");
      if (!now.equals(row)) {
        cells.set(i, now);
      }
    }
    derive();
  }

  private void watch(Job j) {
    followed.follow(j);
    j.stateProperty().addListener((o, a, s) -> {
      if (s == JobState.FAILED) {
        status.set("The experiment failed: " + j.messageProperty().get());
      }
      if (s.isFinal()) {
        clearRunning(Map.of());
        validate(); // edits made meanwhile were locked out; this re-reads the results folder
      }
    });
    if (j.state() == JobState.FAILED) { // it failed before it could be followed (a same-thread service)
      status.set("The experiment failed: " + j.messageProperty().get());
    }
  }

  /** The summary, the chart points and the bars, from the rows. */
  private void derive() {
    List<CellResult> results = cells.stream().filter(CellRow::finished).map(CellRow::result).toList();
    summary.setAll(SummaryRow.of(results));
    Map<String, List<CellRow>> bySeries = new LinkedHashMap<>();
    Map<String, Double> barValues = new LinkedHashMap<>();
    for (CellRow r : cells) {
      barValues.putIfAbsent(r.model(), r.stepsPer100Tokens());
      if (r.ok() && Double.isFinite(r.brierLm())) {
        bySeries.computeIfAbsent(series(r.cell()), k -> new ArrayList<>()).add(r);
      }
    }
    List<MetricPoint> out = new ArrayList<>();
    for (String chart : List.of(CHART_TRAIN, CHART_INFER)) {
      bySeries.forEach((s, rows) -> {
        List<MetricPoint> series = new ArrayList<>();
        for (CellRow r : rows) {
          if (chart.equals(CHART_TRAIN)) {
            curves.getOrDefault(r.id(), List.of()).forEach(p -> series.add(new MetricPoint(chart, s, p[0], p[1])));
          }
          series.add(new MetricPoint(chart, s, chart.equals(CHART_TRAIN) ? r.trainFlops() : r.inferFlopsPerToken(), r.brierLm()));
        }
        series.stream().filter(m -> Double.isFinite(m.x())).sorted(Comparator.comparingDouble(MetricPoint::x)).forEach(out::add);
      });
    }
    points.setAll(out);
    List<Bar> b = new ArrayList<>();
    barValues.forEach((cat, v) -> b.add(new Bar(STEPS_SERIES, cat, v)));
    bars.setAll(b);
  }

  /**
   * BrierLM measured while the cell's language model trained, as (training FLOPs so far, BrierLM):
   * present when the experiment evaluates during training ({@code lm.set.eval_every} and {@code
   * eval_positions}), so each K draws a curve up to its final point. The autoencoder's FLOPs come
   * first (it is trained before), the language model's grow with its steps. Empty otherwise, for a
   * failed cell, or when the run folder cannot be read.
   */
  static List<double[]> trainingCurve(Path out, CellResult r) {
    List<double[]> points = new ArrayList<>();
    if (out == null || !r.ok() || r.checkpoint() == null || r.lmSteps() <= 0 || !Double.isFinite(r.lmTrainFlops())) {
      return points;
    }
    try {
      RunStore.Run run = RunStore.read(out.resolve(r.checkpoint()));
      for (MetricsLog.Row row : run == null ? List.<MetricsLog.Row>of() : run.rows()) {
        double brier = row.get("brier_lm");
        if (!Double.isNaN(brier) && row.step() < r.lmSteps()) { // the last step's is the runner's own measurement
          points.add(new double[] {r.aeTrainFlops() + r.lmTrainFlops() * row.step() / r.lmSteps(), brier});
        }
      }
    } catch (CalmException e) {
      return List.of();
    }
    return points;
  }

  /** "K = 4", with the head, input and latent size when the grid has several of them; "AR baseline". */
  String series(ExperimentCell c) {
    if (c.ar()) {
      return AR_SERIES;
    }
    StringBuilder s = new StringBuilder("K = " + c.patchSize());
    Experiment.Grid g = shown == null ? null : shown.grid();
    if (g != null && g.heads().size() > 1) {
      s.append(' ').append(c.head());
    }
    if (g != null && g.inputs().size() > 1) {
      s.append(' ').append(c.input().key());
    }
    if (g != null && g.latentSizes().size() > 1) {
      s.append(" L = ").append(c.latentSize());
    }
    return s.toString();
  }
}
