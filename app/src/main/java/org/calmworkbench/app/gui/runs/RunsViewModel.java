package org.calmworkbench.app.gui.runs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import org.calmworkbench.app.gui.WorkbenchContext;
import org.calmworkbench.app.gui.common.Events;
import org.calmworkbench.app.gui.common.MetricPoint;
import org.calmworkbench.app.gui.lmtrain.LmPoint;
import org.calmworkbench.app.gui.service.Job;
import org.calmworkbench.app.gui.service.JobSpec;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.interop.HfTrainerRun;
import org.calmworkbench.backend.interop.TorchrunExport;
import org.calmworkbench.backend.project.Project;
import org.calmworkbench.backend.project.RunStore;
import org.calmworkbench.backend.train.MetricsLog;
import org.calmworkbench.backend.train.TrainingLoop;

/**
 * The Runs page's state: every training run of the project (autoencoder, CALM, AR) read from its
 * folder, the runs selected for comparison, the metric to overlay and the x axis, and the overlay's
 * points. A run whose files are malformed is left out of the table and named, with the file and
 * line, in {@link #problemsProperty()}.
 */
public final class RunsViewModel {
  public static final String CHART = "compare";
  /** Preferred default metric: the one every run has. */
  static final String DEFAULT_METRIC = "loss";

  private final WorkbenchContext ctx;
  private final ObservableList<RunStore.Run> runs = FXCollections.observableArrayList();
  private final ObservableList<RunStore.Run> selected = FXCollections.observableArrayList();
  private final ObservableList<String> metrics = FXCollections.observableArrayList();
  private final ObjectProperty<String> metric = new SimpleObjectProperty<>(this, "metric", DEFAULT_METRIC);
  private final ObjectProperty<LmPoint.XAxis> xAxis = new SimpleObjectProperty<>(this, "xAxis", LmPoint.XAxis.STEPS);
  private final ObservableList<MetricPoint> points = FXCollections.observableArrayList();
  private final ReadOnlyStringWrapper problems = new ReadOnlyStringWrapper(this, "problems", "");
  private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "");
  /**
   * Runs already read, by folder, with the fingerprint of the files they were read from: {@link
   * #refresh} (on every checkpoint any job saves) parses only a run whose files changed. Reading a
   * 12,000-line metrics.jsonl on the FX thread at every refresh stalled it 50-300 ms (issue 13,
   * goal 5: 362 of 1,304 pulse gaps over 50 ms in 100 GUI-session cycles).
   */
  private final Map<Path, Cached> cache = new HashMap<>();
  private boolean shown = true;

  private record Cached(List<Object> fingerprint, RunStore.Run run, List<String> metrics) {}

  public RunsViewModel(WorkbenchContext ctx) {
    this.ctx = ctx;
    selected.addListener((ListChangeListener<RunStore.Run>) c -> {
      updateMetrics();
      updatePoints();
    });
    metric.addListener((o, a, b) -> updatePoints());
    xAxis.addListener((o, a, b) -> updatePoints());
    ctx.projectProperty().addListener((o, a, p) -> refreshIfShown());
    ctx.bus().subscribe(Events.CheckpointSaved.class, e -> refreshIfShown());
    refresh();
  }

  /**
   * Whether the page is on screen. While it is not, a saved checkpoint or a new project does not
   * re-read the runs (each refresh reads the changed runs' metrics.jsonl on the UI thread, at every
   * checkpoint of a training job); the page refreshes when it is shown again. True until a page says
   * otherwise.
   */
  public void setShown(boolean shown) {
    this.shown = shown;
  }

  private void refreshIfShown() {
    if (shown) {
      refresh();
    }
  }

  /** Every readable run of the project, sorted by folder name (kind, then start time). */
  public ObservableList<RunStore.Run> runs() {
    return runs;
  }

  /** The runs to overlay; the view mirrors the table's selection here. */
  public ObservableList<RunStore.Run> selected() {
    return selected;
  }

  /** The metrics the selected runs recorded (every run's when none is selected). */
  public ObservableList<String> metrics() {
    return metrics;
  }

  public ObjectProperty<String> metricProperty() {
    return metric;
  }

  public ObjectProperty<LmPoint.XAxis> xAxisProperty() {
    return xAxis;
  }

  /** The overlay: one series per selected run that has the metric (named "TYPE name"). */
  public ObservableList<MetricPoint> points() {
    return points;
  }

  /** Runs that could not be read, one per line, naming the file (and line); empty when all were read. */
  public ReadOnlyStringProperty problemsProperty() {
    return problems.getReadOnlyProperty();
  }

  public ReadOnlyStringProperty statusProperty() {
    return status.getReadOnlyProperty();
  }

  /**
   * A run's folder as the table shows it: relative to the project folder (runs/sample-calm) when it is
   * inside it, else absolute.
   */
  public String shownFolder(RunStore.Run run) {
    Project p = ctx.project();
    Path dir = run.dir().toAbsolutePath().normalize();
    if (p != null) {
      Path root = p.folder().toAbsolutePath().normalize();
      if (dir.startsWith(root)) {
        return root.relativize(dir).toString();
      }
    }
    return dir.toString();
  }

  /** The job kind of an export. */
  static final String EXPORT_KIND = "export-torchrun";

  /**
   * Exports the one selected workbench run (CALM or autoencoder) for the official code's torchrun
   * scripts into {@code out}, in the background ({@link TorchrunExport}); the status line says where
   * it went and what will differ. Refused with a status message unless exactly one workbench run is
   * selected.
   */
  public Job exportTorchrun(Path out) {
    if (selected.size() != 1 || !RunStore.WORKBENCH.equals(selected.get(0).source())
        || RunStore.AR.equals(selected.get(0).type())) {
      status.set("Select one CALM or autoencoder run trained here to export it for torchrun.");
      return null;
    }
    Path run = selected.get(0).dir();
    return ctx.service().submit(JobSpec.of("Export " + run.getFileName() + " for torchrun", EXPORT_KIND),
        job -> TorchrunExport.run(new TorchrunExport.Request(run, List.of(), out)),
        r -> status.set("Exported " + run.getFileName() + " to " + r.out() + ": run train_calm.sh there with WORK_PATH"
            + " set to the official code (README.md inside)" + (r.warnings().isEmpty() ? "." : "; "
            + r.warnings().size() + " difference(s) from the run listed in the README.")));
  }

  /** Re-reads the project's runs/ folder, keeping the selection of runs that are still there. */
  public void refresh() {
    Project p = ctx.project();
    List<RunStore.Run> read = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    if (p != null) {
      try {
        List<Path> dirs = RunStore.runDirs(p.folder());
        cache.keySet().retainAll(Set.copyOf(dirs));
        for (Path dir : dirs) {
          try {
            RunStore.Run r = readCached(dir);
            if (r != null) {
              read.add(r);
            }
          } catch (CalmException e) {
            errors.add(e.getMessage());
          }
        }
      } catch (IOException e) {
        errors.add("cannot list " + p.folder().resolve(Project.RUNS) + ": " + e.getMessage());
      }
    } else {
      cache.clear();
    }
    Set<Path> keep = new LinkedHashSet<>();
    selected.forEach(r -> keep.add(r.dir()));
    runs.setAll(read);
    selected.setAll(read.stream().filter(r -> keep.contains(r.dir())).toList());
    problems.set(String.join("\n", errors));
    errors.forEach(e -> ctx.service().log().warn(e));
    status.set(p == null ? "Open a project first (Project page)."
        : read.isEmpty() && errors.isEmpty() ? "No training runs in " + p.folder().resolve(Project.RUNS) + " yet."
        : read.size() + " run" + (read.size() == 1 ? "" : "s") + " in " + p.folder().resolve(Project.RUNS));
    updateMetrics();
    updatePoints();
  }

  /** {@link RunStore#read}, or the run read before when its files are unchanged (workbench runs). */
  private RunStore.Run readCached(Path dir) {
    List<Object> fingerprint = fingerprint(dir);
    Cached c = cache.get(dir);
    if (fingerprint != null && c != null && c.fingerprint().equals(fingerprint)) {
      return c.run();
    }
    RunStore.Run r = RunStore.read(dir); // a malformed run throws: not cached, read (and named) again next time
    if (fingerprint != null) {
      cache.put(dir, new Cached(fingerprint, r, r == null ? List.of() : r.metrics()));
    } else {
      cache.remove(dir);
    }
    return r;
  }

  /**
   * Size and modification time of every file a workbench run is read from (config.json,
   * trainer_state.json, metrics.jsonl); null for a Trainer output folder (never cached).
   */
  static List<Object> fingerprint(Path dir) {
    if (!Files.isRegularFile(dir.resolve(TrainingLoop.CONFIG))
        || HfTrainerRun.isTrainerOutput(dir)) {
      return null;
    }
    List<Object> out = new ArrayList<>();
    for (String f : List.of(TrainingLoop.CONFIG,
        TrainingLoop.STATE, TrainingLoop.METRICS)) {
      try {
        BasicFileAttributes a =
            Files.readAttributes(dir.resolve(f), BasicFileAttributes.class);
        out.add(a.size());
        out.add(a.lastModifiedTime());
        out.add(a.fileKey());
      } catch (IOException e) {
        out.add(-1L); // missing
      }
    }
    return out;
  }

  private void updateMetrics() {
    Set<String> keys = new LinkedHashSet<>();
    for (RunStore.Run r : selected.isEmpty() ? runs : selected) {
      Cached c = cache.get(r.dir());
      keys.addAll(c != null && c.run() == r ? c.metrics() : r.metrics()); // every row's keys: once per read
    }
    String keepMetric = metric.get();
    metrics.setAll(keys); // a combo box showing the list may clear its value meanwhile: set it again
    metric.set(keepMetric != null && keys.contains(keepMetric) ? keepMetric
        : keys.contains(DEFAULT_METRIC) || keys.isEmpty() ? DEFAULT_METRIC : keys.iterator().next());
  }

  private void updatePoints() {
    List<MetricPoint> out = new ArrayList<>();
    String m = metric.get();
    for (RunStore.Run r : selected) {
      boolean flops = xAxis.get() == LmPoint.XAxis.FLOPS;
      String series = r.type() + " " + r.name();
      for (MetricsLog.Row row : r.rows()) {
        double y = row.get(m);
        double x = flops ? row.get(MetricsLog.TRAIN_FLOPS) : row.step(); // a row without train_flops has no FLOPs point
        if (!Double.isNaN(y) && !Double.isNaN(x)) {
          out.add(new MetricPoint(CHART, series, x, y));
        }
      }
    }
    points.setAll(out);
  }
}
