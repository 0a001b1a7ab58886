package org.calmworkbench.app.gui.inspector;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.calmworkbench.app.gui.WorkbenchContext;
import org.calmworkbench.app.gui.common.Checkpoints;
import org.calmworkbench.app.gui.common.Events;
import org.calmworkbench.app.gui.common.MetricPoint;
import org.calmworkbench.app.gui.service.Job;
import org.calmworkbench.app.gui.service.JobContext;
import org.calmworkbench.app.gui.service.JobSpec;
import org.calmworkbench.backend.eval.Reconstruction;
import org.calmworkbench.backend.inspect.LatentCodec;
import org.calmworkbench.backend.project.Project;
import org.calmworkbench.backend.project.RunStore;
import org.calmworkbench.backend.tokenizer.Tokenizer;
import org.calmworkbench.backend.train.AutoencoderCheckpoint;
import org.calmworkbench.backend.workflow.AeEvaluation;

/**
 * The Reconstruction inspector's state and commands: a checkpoint, a text, its chunks of K tokens
 * decoded again after noise sigma (re-decoded on every change, on the service thread, newest
 * request only), the selected chunk's latent mean, and accuracy-against-noise curves.
 *
 * <p>Debouncing: changes only record the newest request; one decode job at a time takes whatever
 * is newest when it gets to run, so dragging the slider never queues a backlog.
 */
public final class InspectorViewModel {
  public static final String DECODE_KIND = "reconstruct";
  public static final String CURVE_KIND = "ae-eval";
  public static final String CHART_CURVE = "accuracy-vs-sigma";
  /** Noise levels of the accuracy curve. */
  static final double[] CURVE_SIGMAS = {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};
  static final int CURVE_MAX_CHUNKS = 2000;
  /** Fixed noise seed: the same sigma gives the same noise, so moving the slider back restores the text. */
  static final long NOISE_SEED = 7;

  public static final String DEFAULT_TEXT = "The little robot found a red ball near the old tree. \"Look!\" said Mia.";

  /** One token as shown: its text, whether the decoder got it wrong, whether it only pads the last chunk. */
  public record TokenView(String text, boolean mismatch, boolean padding) {}

  /** One chunk: its input and decoded tokens, and its latent Gaussian (mean, log std). */
  public record ChunkView(int index, List<TokenView> input, List<TokenView> decoded, float[] mean, float[] logStd,
      int mismatches) {}

  private record Request(Path checkpoint, String text, double sigma) {}

  private record Decoded(Request request, List<ChunkView> chunks, String text, int mismatches, int tokens, int patchSize,
      int latentSize) {}

  private final WorkbenchContext ctx;
  private final ObservableList<RunStore.Checkpoint> checkpoints = FXCollections.observableArrayList();
  private final ObjectProperty<RunStore.Checkpoint> checkpoint = new SimpleObjectProperty<>(this, "checkpoint");
  private final StringProperty text = new SimpleStringProperty(this, "text", DEFAULT_TEXT);
  private final DoubleProperty sigma = new SimpleDoubleProperty(this, "sigma", 0);
  private final ObservableList<ChunkView> chunks = FXCollections.observableArrayList();
  private final ObjectProperty<ChunkView> selectedChunk = new SimpleObjectProperty<>(this, "selectedChunk");
  private final ReadOnlyStringWrapper decodedText = new ReadOnlyStringWrapper(this, "decodedText", "");
  private final ReadOnlyIntegerWrapper mismatches = new ReadOnlyIntegerWrapper(this, "mismatches", 0);
  private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "");
  private final ReadOnlyBooleanWrapper decoding = new ReadOnlyBooleanWrapper(this, "decoding", false);
  private final ReadOnlyIntegerWrapper patchSize = new ReadOnlyIntegerWrapper(this, "patchSize", 0);
  private final ObservableList<MetricPoint> curvePoints = FXCollections.observableArrayList();

  private final AtomicReference<Request> pending = new AtomicReference<>();
  private Job decodeJob; // UI thread
  private Path failedCheckpoint; // UI thread: a checkpoint that did not load; not retried on every slider move
  private Loaded loaded; // service thread only

  /** The checkpoint the service thread has loaded, kept while the same one is inspected. */
  private static final class Loaded {
    final Path dir;
    final AutoencoderCheckpoint checkpoint;
    final LatentCodec codec;
    String encodedText;
    LatentCodec.Encoded encoded;

    Loaded(Path dir) {
      this.dir = dir;
      this.checkpoint = AutoencoderCheckpoint.load(dir);
      this.codec = new LatentCodec(checkpoint.model(), checkpoint.tokenizer(), checkpoint.manager());
    }
  }

  public InspectorViewModel(WorkbenchContext ctx) {
    this.ctx = ctx;
    checkpoint.addListener((o, a, b) -> {
      failedCheckpoint = null;
      requestDecode();
    });
    text.addListener((o, a, b) -> requestDecode());
    sigma.addListener((o, a, b) -> requestDecode());
    ctx.projectProperty().addListener((o, a, p) -> {
      curvePoints.clear();
      refreshCheckpoints();
    });
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

  public StringProperty textProperty() {
    return text;
  }

  /** Noise level in [0, 1]. */
  public DoubleProperty sigmaProperty() {
    return sigma;
  }

  public ObservableList<ChunkView> chunks() {
    return chunks;
  }

  public ObjectProperty<ChunkView> selectedChunkProperty() {
    return selectedChunk;
  }

  public ReadOnlyStringProperty decodedTextProperty() {
    return decodedText.getReadOnlyProperty();
  }

  /** Tokens decoded wrongly at the current sigma. */
  public ReadOnlyIntegerProperty mismatchesProperty() {
    return mismatches.getReadOnlyProperty();
  }

  public ReadOnlyStringProperty statusProperty() {
    return status.getReadOnlyProperty();
  }

  public ReadOnlyBooleanProperty decodingProperty() {
    return decoding.getReadOnlyProperty();
  }

  /** K of the loaded checkpoint (0 before one is loaded). */
  public ReadOnlyIntegerProperty patchSizeProperty() {
    return patchSize.getReadOnlyProperty();
  }

  /** Accuracy against sigma, one series per checkpoint. */
  public ObservableList<MetricPoint> curvePoints() {
    return curvePoints;
  }

  // ---- commands ------------------------------------------------------------------------------

  /** Re-reads the project's checkpoints; keeps the selection if it still exists, else picks the newest. */
  public void refreshCheckpoints() {
    Project p = ctx.project();
    showCheckpoints(p == null ? List.of() : RunStore.autoencoders(p.folder()));
  }

  /** Shows {@code list}: the selection kept when still there (decoded again if newer), else the newest. */
  private void showCheckpoints(List<RunStore.Checkpoint> list) {
    Project p = ctx.project();
    checkpoints.setAll(list);
    checkpoint.set(Checkpoints.reselect(list, checkpoint.get())); // same folder, newer step: decode again
    if (checkpoint.get() == null) {
      status.set(Checkpoints.noneMessage(p == null ? null : p.folder()));
    }
  }

  /** Queues a decode of the current inputs unless one is waiting already (which will pick them up). */
  public void requestDecode() {
    RunStore.Checkpoint c = checkpoint.get();
    String t = text.get();
    if (c == null || t == null || t.isEmpty()) {
      chunks.clear();
      decodedText.set("");
      mismatches.set(0);
      selectedChunk.set(null);
      return;
    }
    if (c.dir().equals(failedCheckpoint)) {
      return; // the failure was reported once; pick the checkpoint again to retry
    }
    pending.set(new Request(c.dir(), t, sigma.get()));
    if (decodeJob != null && !decodeJob.state().isFinal()) {
      return; // the queued or running decode job takes the newest request
    }
    decoding.set(true);
    status.set(ctx.service().currentProperty().get() == null ? "decoding…"
        : "decoding between the steps of \"" + ctx.service().currentProperty().get().name() + "\"…");
    decodeJob = ctx.service().submit(
        JobSpec.of("Decode text at sigma " + String.format(Locale.ROOT, "%.2f", sigma.get()), DECODE_KIND).needsEngine().quiet().interleaved(),
        this::decodeNewest, r -> {});
    Path dir = c.dir();
    decodeJob.stateProperty().addListener((o, a, s) -> {
      if (s.isFinal()) {
        decoding.set(false);
        if (s == org.calmworkbench.app.gui.service.JobState.FAILED) {
          failedCheckpoint = dir;
          pending.set(null);
          status.set("Could not decode with " + dir.getFileName() + ": " + decodeJob.messageProperty().get());
        } else if (pending.get() != null) {
          requestDecode(); // a change arrived after the job took its last request
        }
      }
    });
    if (decodeJob.state().isFinal()) {
      decoding.set(false);
    }
  }

  /** Runs the accuracy-against-noise curve of the selected checkpoint on the project's held-out split. */
  public Job measureCurve() {
    RunStore.Checkpoint c = checkpoint.get();
    Project p = ctx.project();
    if (c == null || p == null) {
      status.set("Pick a checkpoint first.");
      return null;
    }
    String series = c.name();
    AeEvaluation.Options o = new AeEvaluation.Options(c.dir(), p.corpusPaths(), CURVE_SIGMAS, CURVE_MAX_CHUNKS, "valid",
        Reconstruction.Mode.MEAN, 1, 0);
    return ctx.service().submit(JobSpec.of("Accuracy vs noise: " + series, CURVE_KIND).needsEngine().interleaved(),
        job -> AeEvaluation.run(o, f -> job.progress(f, Double.NaN, "decoding held-out chunks")),
        r -> {
          curvePoints.removeIf(m -> m.series().startsWith(series + " "));
          List<MetricPoint> add = new ArrayList<>();
          for (Reconstruction.Level l : r.report().levels()) {
            add.add(new MetricPoint(CHART_CURVE, series + " tokens", l.sigma(), l.tokenAccuracy()));
          }
          for (Reconstruction.Level l : r.report().levels()) {
            add.add(new MetricPoint(CHART_CURVE, series + " chunks", l.sigma(), l.patchAccuracy()));
          }
          curvePoints.addAll(add);
          status.set(String.format(Locale.ROOT, "%s: %d held-out chunks; token accuracy %.3f at sigma 0, %.3f at sigma 1",
              series, r.patches(), r.report().levels().get(0).tokenAccuracy(),
              r.report().levels().get(r.report().levels().size() - 1).tokenAccuracy()));
        });
  }

  /** Closes the loaded checkpoint (on the service thread). */
  public void dispose() {
    ctx.service().submit(JobSpec.of("Close inspector checkpoint", DECODE_KIND).quiet(), job -> {
      closeLoaded();
      return null;
    }, r -> {});
  }

  // ---- service thread ------------------------------------------------------------------------

  private Void decodeNewest(JobContext job) {
    Request r;
    while ((r = pending.getAndSet(null)) != null) {
      Decoded d = decode(r);
      job.latest("decoded", d, this::show);
    }
    return null;
  }

  private Decoded decode(Request r) {
    if (loaded == null || !loaded.dir.equals(r.checkpoint())) {
      closeLoaded();
      loaded = new Loaded(r.checkpoint());
    }
    LatentCodec codec = loaded.codec;
    if (!r.text().equals(loaded.encodedText)) {
      loaded.encoded = codec.encode(r.text());
      loaded.encodedText = r.text();
    }
    LatentCodec.Encoded e = loaded.encoded;
    float[][] means = e.chunks().stream().map(LatentCodec.Chunk::mean).toArray(float[][]::new);
    LatentCodec.Decoded d = codec.decode(means, r.sigma(), NOISE_SEED, e.ids());
    Tokenizer tok = codec.tokenizer();
    int k = codec.patchSize();
    int realTokens = e.ids().length - e.padding();
    List<ChunkView> views = new ArrayList<>();
    int wrong = 0;
    for (int p = 0; p < e.chunks().size(); p++) {
      LatentCodec.Chunk c = e.chunks().get(p);
      int[] out = d.chunks().get(p);
      List<TokenView> in = new ArrayList<>(k);
      List<TokenView> dec = new ArrayList<>(k);
      int chunkWrong = 0;
      for (int j = 0; j < k; j++) {
        boolean pad = p * k + j >= realTokens;
        boolean bad = !pad && out[j] != c.ids()[j];
        chunkWrong += bad ? 1 : 0;
        in.add(new TokenView(tok.decode(new int[] {c.ids()[j]}), false, pad));
        dec.add(new TokenView(tok.decode(new int[] {out[j]}), bad, pad));
      }
      wrong += chunkWrong;
      views.add(new ChunkView(p, in, dec, c.mean(), c.logStd(), chunkWrong));
    }
    // The decoded text of the real positions only: what the decoder puts where the last chunk was
    // padded is not part of the text (LatentCodec strips only trailing pad ids).
    String text = tok.decode(java.util.Arrays.copyOf(d.ids(), realTokens));
    return new Decoded(r, views, text, wrong, realTokens, k, loaded.checkpoint.config().latentSize());
  }

  private void closeLoaded() {
    if (loaded != null) {
      loaded.checkpoint.close();
      loaded = null;
    }
  }

  // ---- UI thread -----------------------------------------------------------------------------

  private void show(Decoded d) {
    int selected = selectedChunk.get() == null ? 0 : selectedChunk.get().index();
    chunks.setAll(d.chunks());
    decodedText.set(d.text());
    mismatches.set(d.mismatches());
    patchSize.set(d.patchSize());
    selectedChunk.set(d.chunks().isEmpty() ? null : d.chunks().get(Math.min(selected, d.chunks().size() - 1)));
    status.set(String.format(Locale.ROOT, "%d tokens in %d chunks of K=%d, latent L=%d; sigma %.2f: %d token%s wrong",
        d.tokens(), d.chunks().size(), d.patchSize(), d.latentSize(), d.request().sigma(), d.mismatches(),
        d.mismatches() == 1 ? "" : "s"));
  }

  /** A token with its spaces, line breaks and tabs made visible (·, ⏎, ⇥). */
  public static String visible(String token) {
    return token.replace(' ', '·').replace("\n", "⏎").replace("\t", "⇥");
  }
}
