package org.calmworkbench.app.gui.latent;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.calmworkbench.app.gui.WorkbenchContext;
import org.calmworkbench.app.gui.common.Checkpoints;
import org.calmworkbench.app.gui.common.Events;
import org.calmworkbench.app.gui.inspector.InspectorViewModel.TokenView;
import org.calmworkbench.app.gui.inspector.InspectorViewModel;
import org.calmworkbench.app.gui.service.Job;
import org.calmworkbench.app.gui.service.JobContext;
import org.calmworkbench.app.gui.service.JobSpec;
import org.calmworkbench.app.gui.service.JobState;
import org.calmworkbench.backend.data.TokenizedCorpus;
import org.calmworkbench.backend.inspect.LatentMap;
import org.calmworkbench.backend.project.Project;
import org.calmworkbench.backend.project.RunStore;
import org.calmworkbench.backend.tokenizer.Tokenizer;
import org.calmworkbench.backend.train.AutoencoderCheckpoint;
import org.calmworkbench.backend.workflow.AeEvaluation;

/**
 * The Latent explorer's state and commands: a map of held-out chunk latents (their means on the
 * first two principal axes, see {@link LatentMap}), coloured by a chosen property; a selected chunk
 * with a noise cloud of sigma around it; and a second chunk with the decodes along the line between
 * the two.
 *
 * <p>All DJL work runs in jobs on the service thread. The map is one job per request; the cloud and
 * the interpolation are re-computed on every change of selection, sigma or steps by one probe job
 * at a time that takes the newest request, so dragging the slider never queues a backlog (as in the
 * Reconstruction inspector).
 */
public final class LatentExplorerViewModel {
  public static final String MAP_KIND = "latent-map";
  public static final String PROBE_KIND = "latent-probe";
  public static final int DEFAULT_CHUNKS = 400;
  public static final int MAX_CHUNKS = 5000;
  /** Noisy latents per cloud. */
  public static final int CLOUD_SAMPLES = 64;
  public static final int DEFAULT_STEPS = 12;
  /** Fixed noise seed: the same sigma gives the same cloud, so moving the slider back restores it. */
  static final long CLOUD_SEED = 11;
  /** First tokens with a colour of their own (the most frequent); the rest share "other". */
  static final int TOP_TOKENS = 7;
  /** Positions 0 .. POSITIONS-2 get a colour each; later ones share the last. */
  static final int POSITIONS = 8;

  /** The property the map's points are coloured by. */
  public enum ColourBy {
    FIRST_TOKEN("first token"), POSITION("position in document"), ERRORS("reconstruction errors");

    private final String label;

    ColourBy(String label) {
      this.label = label;
    }

    @Override
    public String toString() {
      return label;
    }
  }

  /**
   * Each point's colour group and the groups' legend labels; {@code ordered} groups are steps of
   * one scale (position, errors), the others unrelated categories.
   */
  public record Colouring(ColourBy by, int[] groups, List<String> labels, boolean ordered) {}

  /** A chunk as shown: its map point, its tokens, and the tokens its mean decodes to (wrong ones marked). */
  public record ChunkView(LatentMap.Point point, List<TokenView> input, List<TokenView> decoded) {}

  /** One step of the interpolation: its tokens (marked where they differ from the step before), and which end it decodes like. */
  public record StepView(double t, String text, List<TokenView> tokens, boolean changed, boolean likeFrom, boolean likeTo) {}

  private record Probe(int generation, int point, double sigma, int target, int steps) {}

  private record MapResult(int generation, Path checkpoint, List<ChunkView> chunks, double[] explained, int documents,
      int patchSize, int latentSize) {}

  private record ProbeResult(Probe probe, LatentMap.Cloud cloud, LatentMap.Interpolation line, List<StepView> steps) {}

  private final WorkbenchContext ctx;
  private final ObservableList<RunStore.Checkpoint> checkpoints = FXCollections.observableArrayList();
  private final ObjectProperty<RunStore.Checkpoint> checkpoint = new SimpleObjectProperty<>(this, "checkpoint");
  private final IntegerProperty chunkCount = new SimpleIntegerProperty(this, "chunkCount", DEFAULT_CHUNKS);
  private final ObjectProperty<ColourBy> colourBy = new SimpleObjectProperty<>(this, "colourBy", ColourBy.FIRST_TOKEN);
  private final DoubleProperty sigma = new SimpleDoubleProperty(this, "sigma", 0.3);
  private final IntegerProperty steps = new SimpleIntegerProperty(this, "steps", DEFAULT_STEPS);
  private final ObservableList<ChunkView> chunks = FXCollections.observableArrayList();
  private final ReadOnlyObjectWrapper<Colouring> colouring = new ReadOnlyObjectWrapper<>(this, "colouring");
  private final ReadOnlyObjectWrapper<ChunkView> selected = new ReadOnlyObjectWrapper<>(this, "selected");
  private final ReadOnlyObjectWrapper<ChunkView> target = new ReadOnlyObjectWrapper<>(this, "target");
  private final ReadOnlyObjectWrapper<LatentMap.Cloud> cloud = new ReadOnlyObjectWrapper<>(this, "cloud");
  private final ReadOnlyObjectWrapper<LatentMap.Interpolation> interpolation =
      new ReadOnlyObjectWrapper<>(this, "interpolation");
  private final ObservableList<StepView> stepViews = FXCollections.observableArrayList();
  private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "");
  private final ReadOnlyStringWrapper xLabel = new ReadOnlyStringWrapper(this, "xLabel", "PC1");
  private final ReadOnlyStringWrapper yLabel = new ReadOnlyStringWrapper(this, "yLabel", "PC2");
  private final ReadOnlyBooleanWrapper mapping = new ReadOnlyBooleanWrapper(this, "mapping", false);

  private final AtomicReference<Probe> pending = new AtomicReference<>();
  private int generation; // UI thread: the newest map request
  private int shownGeneration = -1; // UI thread: the map on screen
  private Job mapJob; // UI thread
  private Job probeJob; // UI thread
  private Loaded loaded; // service thread only

  /** The checkpoint and map the service thread holds. */
  private static final class Loaded {
    final RunStore.Checkpoint info;
    final AutoencoderCheckpoint checkpoint;
    LatentMap map;
    int generation = -1;

    Loaded(RunStore.Checkpoint info) {
      this.info = info;
      this.checkpoint = AutoencoderCheckpoint.load(info.dir());
    }
  }

  public LatentExplorerViewModel(WorkbenchContext ctx) {
    this.ctx = ctx;
    checkpoint.addListener((o, a, b) -> {
      boolean hadMap = !chunks.isEmpty() || mapping.get();
      clearMap();
      if (b != null && hadMap) {
        buildMap(); // the map was wanted: draw it again for the new weights
      }
    });
    colourBy.addListener((o, a, b) -> recolour());
    sigma.addListener((o, a, b) -> requestProbe());
    steps.addListener((o, a, b) -> {
      if (target.get() != null) {
        requestProbe();
      }
    });
    ctx.projectProperty().addListener((o, a, p) -> refreshCheckpoints());
    ctx.bus().subscribe(Events.CheckpointSaved.class, e -> showCheckpoints(e.checkpoints().autoencoders()));
    refreshCheckpoints();
  }

  // ---- properties ----------------------------------------------------------------------------

  public ObservableList<RunStore.Checkpoint> checkpoints() {
    return checkpoints;
  }

  public ObjectProperty<RunStore.Checkpoint> checkpointProperty() {
    return checkpoint;
  }

  /** How many held-out chunks the next map encodes (1 .. {@value #MAX_CHUNKS}). */
  public IntegerProperty chunkCountProperty() {
    return chunkCount;
  }

  public ObjectProperty<ColourBy> colourByProperty() {
    return colourBy;
  }

  /** Noise level of the cloud, in [0, 1]. */
  public DoubleProperty sigmaProperty() {
    return sigma;
  }

  /** Interpolation steps: t = 0, 1/steps, ..., 1. */
  public IntegerProperty stepsProperty() {
    return steps;
  }

  /** The map's chunks, in map order (index i is point i). */
  public ObservableList<ChunkView> chunks() {
    return chunks;
  }

  public ReadOnlyObjectProperty<Colouring> colouringProperty() {
    return colouring.getReadOnlyProperty();
  }

  /** The clicked chunk: its noise cloud is shown, and interpolation starts from it. */
  public ReadOnlyObjectProperty<ChunkView> selectedProperty() {
    return selected.getReadOnlyProperty();
  }

  /** The chunk interpolated to (shift-click), or null. */
  public ReadOnlyObjectProperty<ChunkView> targetProperty() {
    return target.getReadOnlyProperty();
  }

  public ReadOnlyObjectProperty<LatentMap.Cloud> cloudProperty() {
    return cloud.getReadOnlyProperty();
  }

  public ReadOnlyObjectProperty<LatentMap.Interpolation> interpolationProperty() {
    return interpolation.getReadOnlyProperty();
  }

  /** The interpolation's steps as shown, t = 0 first. */
  public ObservableList<StepView> stepViews() {
    return stepViews;
  }

  public ReadOnlyStringProperty statusProperty() {
    return status.getReadOnlyProperty();
  }

  /** The x axis title: the first principal axis and the share of the variance along it. */
  public ReadOnlyStringProperty xLabelProperty() {
    return xLabel.getReadOnlyProperty();
  }

  /** The y axis title: the second principal axis and the share of the variance along it. */
  public ReadOnlyStringProperty yLabelProperty() {
    return yLabel.getReadOnlyProperty();
  }

  public ReadOnlyBooleanProperty mappingProperty() {
    return mapping.getReadOnlyProperty();
  }

  // ---- commands ------------------------------------------------------------------------------

  /** Re-reads the project's checkpoints; keeps the selected folder if it still exists, else picks the newest. */
  public void refreshCheckpoints() {
    Project p = ctx.project();
    showCheckpoints(p == null ? List.of() : RunStore.autoencoders(p.folder()));
  }

  /** Shows {@code list}: the selection kept when still there (decoded again if newer), else the newest. */
  private void showCheckpoints(List<RunStore.Checkpoint> list) {
    Project p = ctx.project();
    checkpoints.setAll(list);
    checkpoint.set(Checkpoints.reselect(list, checkpoint.get()));
    if (checkpoint.get() == null) {
      status.set(Checkpoints.noneMessage(p == null ? null : p.folder()));
    }
  }

  /** Encodes the held-out chunks with the selected checkpoint and lays them out; null if nothing to map. */
  public Job buildMap() {
    RunStore.Checkpoint c = checkpoint.get();
    Project p = ctx.project();
    if (c == null || p == null) {
      status.set(Checkpoints.noneMessage(p == null ? null : p.folder()));
      return null;
    }
    int n = Math.max(2, Math.min(MAX_CHUNKS, chunkCount.get()));
    int gen = ++generation;
    List<Path> corpus = p.corpusPaths();
    mapping.set(true);
    status.set("encoding " + n + " held-out chunks with " + c.name() + "…");
    Job job = ctx.service().submit(JobSpec.of("Latent map: " + n + " chunks, " + c.name(), MAP_KIND).needsEngine().interleaved(),
        j -> map(c, corpus, n, gen, j), this::showMap);
    mapJob = job;
    job.stateProperty().addListener((o, a, s) -> mapJobEnded(job, s));
    mapJobEnded(job, job.state());
    return job;
  }

  /** Selects chunk {@code index} of the map; with {@code shift} (and a chunk already selected) it becomes the interpolation target. */
  public void select(int index, boolean shift) {
    if (index < 0 || index >= chunks.size()) {
      return;
    }
    ChunkView c = chunks.get(index);
    if (shift && selected.get() != null && selected.get() != c) {
      target.set(c);
    } else {
      selected.set(c);
      target.set(null);
      interpolation.set(null);
      stepViews.clear();
    }
    requestProbe();
  }

  /** Forgets both selections. */
  public void clearSelection() {
    selected.set(null);
    target.set(null);
    cloud.set(null);
    interpolation.set(null);
    stepViews.clear();
    pending.set(null);
  }

  /** Closes the loaded checkpoint (on the service thread). */
  public void dispose() {
    ctx.service().submit(JobSpec.of("Close latent explorer checkpoint", PROBE_KIND).quiet(), job -> {
      closeLoaded();
      return null;
    }, r -> {});
  }

  // ---- UI thread -----------------------------------------------------------------------------

  private void mapJobEnded(Job job, JobState s) {
    if (!s.isFinal() || job != mapJob) {
      return;
    }
    mapping.set(false);
    if (s == JobState.FAILED) {
      status.set("Could not map the latents: " + job.messageProperty().get());
    } else if (s == JobState.CANCELLED && shownGeneration != generation) {
      status.set("Mapping cancelled.");
    }
  }

  private void clearMap() {
    generation++;
    clearSelection();
    chunks.clear();
    colouring.set(null);
    xLabel.set("PC1");
    yLabel.set("PC2");
  }

  private void showMap(MapResult r) {
    if (r.generation() != generation) {
      return; // a newer map was asked for meanwhile
    }
    shownGeneration = r.generation();
    clearSelection();
    chunks.setAll(r.chunks());
    recolour();
    xLabel.set(String.format(Locale.ROOT, "PC1 (%.0f%% of the variance)", 100 * r.explained()[0]));
    yLabel.set(String.format(Locale.ROOT, "PC2 (%.0f%% of the variance)", 100 * r.explained()[1]));
    long exact = r.chunks().stream().filter(c -> c.point().correct()).count();
    status.set(String.format(Locale.ROOT,
        "%d held-out chunks of K=%d from %d documents, latent L=%d; %d (%.0f%%) decode exactly from their mean."
            + " Click a point; shift-click a second one to interpolate.",
        r.chunks().size(), r.patchSize(), r.documents(), r.latentSize(), exact, 100.0 * exact / r.chunks().size()));
  }

  private void recolour() {
    colouring.set(chunks.isEmpty() ? null : colouring(colourBy.get(), chunks.stream().map(ChunkView::point).toList()));
  }

  /** The colour groups of {@code points} by {@code by}. */
  static Colouring colouring(ColourBy by, List<LatentMap.Point> points) {
    int[] groups = new int[points.size()];
    List<String> labels = new ArrayList<>();
    switch (by) {
      case FIRST_TOKEN -> {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (LatentMap.Point p : points) {
          counts.merge(p.firstToken(), 1, Integer::sum);
        }
        List<String> top = counts.entrySet().stream()
            .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
            .limit(TOP_TOKENS).map(Map.Entry::getKey).toList();
        int other = 0;
        for (int i = 0; i < groups.length; i++) {
          int g = top.indexOf(points.get(i).firstToken());
          groups[i] = g >= 0 ? g : top.size();
          other += g >= 0 ? 0 : 1;
        }
        for (String t : top) {
          labels.add("\"" + InspectorViewModel.visible(t) + "\" (" + counts.get(t) + ")");
        }
        if (other > 0) {
          labels.add("other (" + other + ")");
        }
        return new Colouring(by, groups, labels, false);
      }
      case POSITION -> {
        for (int i = 0; i < groups.length; i++) {
          groups[i] = Math.min(points.get(i).position(), POSITIONS - 1);
        }
        int max = Arrays.stream(groups).max().orElse(0);
        for (int g = 0; g <= max; g++) {
          labels.add(g == POSITIONS - 1 ? "chunk " + g + "+" : "chunk " + g);
        }
        return new Colouring(by, groups, labels, true);
      }
      default -> {
        int k = points.isEmpty() ? 0 : points.get(0).ids().length;
        for (int i = 0; i < groups.length; i++) {
          groups[i] = points.get(i).errors();
        }
        for (int g = 0; g <= k; g++) {
          labels.add(g + " of " + k + " wrong");
        }
        return new Colouring(by, groups, labels, true);
      }
    }
  }

  private void requestProbe() {
    ChunkView s = selected.get();
    if (s == null) {
      return;
    }
    ChunkView t = target.get();
    pending.set(new Probe(shownGeneration, s.point().index(), sigma.get(), t == null ? -1 : t.point().index(),
        Math.max(1, Math.min(LatentMap.MAX_STEPS, steps.get()))));
    if (probeJob != null && !probeJob.state().isFinal()) {
      return; // the queued or running probe takes the newest request
    }
    probeJob = ctx.service().submit(JobSpec.of(String.format(Locale.ROOT, "Noise cloud at sigma %.2f", sigma.get()),
        PROBE_KIND).needsEngine().quiet().interleaved(), this::probeNewest, r -> {});
    Job job = probeJob;
    job.stateProperty().addListener((o, a, st) -> {
      if (st == JobState.FAILED) {
        pending.set(null);
        status.set("Could not decode around the chunk: " + job.messageProperty().get());
      } else if (st.isFinal() && pending.get() != null && job == probeJob) {
        requestProbe(); // a change arrived after the job took its last request
      }
    });
  }

  private void showProbe(ProbeResult r) {
    ChunkView s = selected.get();
    if (r.probe().generation() != shownGeneration || s == null || s.point().index() != r.probe().point()) {
      return; // the selection moved on; a newer probe follows
    }
    cloud.set(r.cloud());
    ChunkView t = target.get();
    if (t != null && t.point().index() == r.probe().target()) {
      interpolation.set(r.line());
      stepViews.setAll(r.steps());
    }
  }

  // ---- service thread ------------------------------------------------------------------------

  private MapResult map(RunStore.Checkpoint info, List<Path> corpus, int n, int gen, JobContext job) throws Exception {
    if (loaded == null || !loaded.info.equals(info)) { // another folder, or new weights saved in the same one
      closeLoaded();
      loaded = new Loaded(info);
    }
    job.progress(-1, Double.NaN, "reading the held-out split");
    AutoencoderCheckpoint ck = loaded.checkpoint;
    Tokenizer tok = ck.tokenizer();
    TokenizedCorpus corpusIds = AeEvaluation.tokenize(ck, corpus);
    LatentMap.Chunks held = LatentMap.documentChunks(corpusIds.validation(), ck.config().patchSize(), tok.eosId(), n);
    job.checkCancelled();
    LatentMap map = LatentMap.build(ck.model(), tok, ck.manager(), held, f -> {
      job.checkCancelled(); // between batches: each batch's sub-manager is closed on the way out
      job.progress(f, Double.NaN, "encoding chunks");
    });
    loaded.map = map;
    loaded.generation = gen;
    List<ChunkView> views = new ArrayList<>(map.points().size());
    for (LatentMap.Point p : map.points()) {
      views.add(new ChunkView(p, tokens(tok, p.ids(), null), tokens(tok, p.decoded(), p.ids())));
    }
    int documents = (int) Arrays.stream(held.documents()).distinct().count();
    return new MapResult(gen, info.dir(), List.copyOf(views), new double[] {map.pca().explained(0), map.pca().explained(1)},
        documents, map.patchSize(), map.latentSize());
  }

  private Void probeNewest(JobContext job) {
    Probe r;
    while ((r = pending.getAndSet(null)) != null) {
      if (loaded == null || loaded.map == null || loaded.generation != r.generation()) {
        continue; // the map changed under this request
      }
      LatentMap map = loaded.map;
      LatentMap.Cloud c = map.cloud(r.point(), r.sigma(), CLOUD_SAMPLES, CLOUD_SEED);
      LatentMap.Interpolation line = null;
      List<StepView> views = List.of();
      if (r.target() >= 0) {
        line = map.interpolate(r.point(), r.target(), r.steps());
        views = stepViews(loaded.checkpoint.tokenizer(), map.points().get(r.point()), map.points().get(r.target()), line);
      }
      job.latest("probe", new ProbeResult(r, c, line, views), this::showProbe);
    }
    return null;
  }

  /** How many of a cloud's distinct decodes the page lists; the rest are counted ({@link #otherOutcomes}). */
  public static final int OUTCOMES_SHOWN = 6;

  /** "σ = 0.30: 41 of 64 noisy latents (64%) decode to the chunk". */
  public static String cloudSummary(LatentMap.Cloud cloud) {
    return String.format(Locale.ROOT, "σ = %.2f: %d of %d noisy latents (%.0f%%) decode to the chunk",
        cloud.sigma(), cloud.correct(), cloud.samples().size(), 100 * cloud.fractionCorrect());
  }

  /** The decodes the page lists: the first {@link #OUTCOMES_SHOWN} (most frequent first, as the cloud orders them). */
  public static List<LatentMap.Outcome> shownOutcomes(LatentMap.Cloud cloud) {
    return cloud.outcomes().subList(0, Math.min(OUTCOMES_SHOWN, cloud.outcomes().size()));
  }

  /** "… and N other decodes" for the decodes not listed; empty when all are. */
  public static String otherOutcomes(LatentMap.Cloud cloud) {
    int others = cloud.outcomes().size() - OUTCOMES_SHOWN;
    return others > 0 ? "… and " + others + " other decode" + (others == 1 ? "" : "s") : "";
  }

  /** "3 changes of the decoded text along 8 steps (...)": how often the decode changes between steps. */
  public static String stepsSummary(List<StepView> steps) {
    long changes = steps.stream().filter(StepView::changed).count();
    return changes + " change" + (changes == 1 ? "" : "s") + " of the decoded text along " + (steps.size() - 1)
        + " steps (changed tokens in red, changed rows highlighted)";
  }

  static List<StepView> stepViews(Tokenizer tok, LatentMap.Point from, LatentMap.Point to, LatentMap.Interpolation line) {
    List<StepView> out = new ArrayList<>();
    int[] before = null;
    for (LatentMap.Step s : line.steps()) {
      out.add(new StepView(s.t(), s.text(), tokens(tok, s.decoded(), before), s.changed(),
          Arrays.equals(s.decoded(), from.decoded()), Arrays.equals(s.decoded(), to.decoded())));
      before = s.decoded();
    }
    return out;
  }

  /** Token views of {@code ids}, each marked where it differs from {@code reference} (null: none marked). */
  static List<TokenView> tokens(Tokenizer tok, int[] ids, int[] reference) {
    List<TokenView> out = new ArrayList<>(ids.length);
    for (int j = 0; j < ids.length; j++) {
      out.add(new TokenView(tok.decode(new int[] {ids[j]}), reference != null && reference[j] != ids[j], false));
    }
    return List.copyOf(out);
  }

  private void closeLoaded() {
    if (loaded != null) {
      loaded.checkpoint.close();
      loaded = null;
    }
  }
}
