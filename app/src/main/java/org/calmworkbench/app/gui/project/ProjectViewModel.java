package org.calmworkbench.app.gui.project;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.calmworkbench.app.gui.WorkbenchContext;
import org.calmworkbench.app.gui.common.Concepts;
import org.calmworkbench.app.gui.service.Job;
import org.calmworkbench.app.gui.service.JobContext;
import org.calmworkbench.app.gui.service.JobSpec;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.data.CorpusStats;
import org.calmworkbench.backend.model.AutoencoderConfig;
import org.calmworkbench.backend.project.Project;
import org.calmworkbench.backend.project.RunStore;
import org.calmworkbench.backend.tokenizer.Tokenizer;
import org.calmworkbench.backend.tokenizer.Tokenizers;
import org.calmworkbench.backend.train.AePresets;
import org.calmworkbench.backend.train.AutoencoderTrainer;
import org.calmworkbench.backend.workflow.AeTraining;

/**
 * The Project page's state and commands: open or create a project, its corpus files, the corpus
 * statistics (computed as a job) and the recent projects.
 */
public final class ProjectViewModel {
  public static final String STATS_KIND = "corpus-stats";

  /** One corpus path as the project lists it, with whether it exists and its size. */
  public record CorpusEntry(String path, Path resolved, boolean exists, long bytes) {
    @Override
    public String toString() {
      return path + (exists ? "  (" + humanBytes(bytes) + ")" : "  (missing: " + resolved + ")");
    }
  }

  /** One line of the statistics table: label, value, and what it means. */
  public record StatRow(String label, String value, String explanation) {}

  /** What the statistics job computes. */
  public record StatsResult(CorpusStats stats, int vocabSize, String tokenizerSource, int patchSize, int latentSize,
      String shapeSource) {}

  private final WorkbenchContext ctx;
  private final ReadOnlyStringWrapper name = new ReadOnlyStringWrapper(this, "name", "no project open");
  private final ReadOnlyStringWrapper folder = new ReadOnlyStringWrapper(this, "folder", "");
  private final ReadOnlyStringWrapper description = new ReadOnlyStringWrapper(this, "description", "");
  private final ReadOnlyStringWrapper statsStatus = new ReadOnlyStringWrapper(this, "statsStatus", "");
  private final ObservableList<CorpusEntry> corpora = FXCollections.observableArrayList();
  private final ObservableList<StatRow> stats = FXCollections.observableArrayList();
  private final ObservableList<Path> recent = FXCollections.observableArrayList();

  public ProjectViewModel(WorkbenchContext ctx) {
    this.ctx = ctx;
    ctx.projectProperty().addListener((o, a, p) -> show(p));
    show(ctx.project());
  }

  public ReadOnlyStringProperty nameProperty() {
    return name.getReadOnlyProperty();
  }

  public ReadOnlyStringProperty folderProperty() {
    return folder.getReadOnlyProperty();
  }

  public ReadOnlyStringProperty descriptionProperty() {
    return description.getReadOnlyProperty();
  }

  public ReadOnlyStringProperty statsStatusProperty() {
    return statsStatus.getReadOnlyProperty();
  }

  public ObservableList<CorpusEntry> corpora() {
    return corpora;
  }

  public ObservableList<StatRow> stats() {
    return stats;
  }

  public ObservableList<Path> recentProjects() {
    return recent;
  }

  // ---- commands -----------------------------------------------------------------------------

  /** Opens the project in {@code path} (a folder or its project.json); false if it failed (reported). */
  public boolean open(Path path) {
    try {
      ctx.setProject(Project.load(path));
      computeStats();
      return true;
    } catch (CalmException e) {
      ctx.service().errors().report("Open project", e);
      return false;
    }
  }

  /**
   * Creates a project in {@code folderPath} with {@code corpusFiles} (kept relative when inside the
   * folder) and opens it. Refuses a folder that already holds a project.
   */
  public boolean create(Path folderPath, String projectName, List<Path> corpusFiles) {
    try {
      Path dir = folderPath.toAbsolutePath().normalize();
      if (Files.exists(dir.resolve(Project.FILE_NAME))) {
        throw new CalmException(dir.resolve(Project.FILE_NAME) + " already exists: open that project instead");
      }
      if (corpusFiles.isEmpty()) {
        throw new CalmException("choose at least one corpus file or folder for the new project");
      }
      List<String> corpus = new ArrayList<>();
      for (Path c : corpusFiles) {
        Path abs = c.toAbsolutePath().normalize();
        corpus.add(abs.startsWith(dir) ? dir.relativize(abs).toString().replace('\\', '/') : abs.toString());
      }
      String n = projectName == null || projectName.isBlank() ? dir.getFileName().toString() : projectName.strip();
      Files.createDirectories(dir);
      Project p = Project.of(dir, n, corpus);
      p.save();
      ctx.setProject(p);
      computeStats();
      return true;
    } catch (CalmException | IOException e) {
      ctx.service().errors().report("Create project", e);
      return false;
    }
  }

  /** Queues the statistics job for the current project (tokenizer: newest checkpoint's, else a BPE as Train makes it). */
  public Job computeStats() {
    Project p = ctx.project();
    if (p == null) {
      return null;
    }
    stats.clear();
    statsStatus.set("counting tokens…");
    Job job = ctx.service().submit(JobSpec.of("Corpus statistics (" + p.name() + ")", STATS_KIND).interleaved(),
        c -> countStats(p, c),
        r -> {
          if (ctx.project() == p) {
            stats.setAll(rows(r));
            statsStatus.set(r.stats().warnings().isEmpty() ? "" : String.join("\n", r.stats().warnings()));
          }
        });
    Runnable onFailure = () -> {
      if (job.state() == org.calmworkbench.app.gui.service.JobState.FAILED && ctx.project() == p) {
        statsStatus.set("Could not count: " + job.messageProperty().get());
      }
    };
    job.stateProperty().addListener((o, a, s) -> onFailure.run());
    onFailure.run(); // already failed when jobs run on the calling thread
    return job;
  }

  static StatsResult countStats(Project p, JobContext job) throws IOException {
    List<RunStore.Checkpoint> cks = RunStore.autoencoders(p.folder());
    RunStore.Checkpoint withTokenizer = cks.stream()
        .filter(c -> Files.isRegularFile(c.dir().resolve(AutoencoderTrainer.TOKENIZER))).findFirst().orElse(null);
    Tokenizer tok;
    String source;
    if (withTokenizer != null) {
      tok = Tokenizers.load(withTokenizer.dir().resolve(AutoencoderTrainer.TOKENIZER));
      source = "tokenizer of checkpoint " + withTokenizer.name();
    } else {
      int vocab = p.preset("tokenizer").has("vocab_size")
          ? p.preset("tokenizer").get("vocab_size").getAsInt() : AeTraining.DEFAULT_VOCAB_SIZE;
      job.progress(-1, Double.NaN, "training a " + vocab + "-token BPE tokenizer, as training would");
      tok = AeTraining.trainTokenizer(p.corpusPaths(), vocab);
      source = "a " + vocab + "-token byte-level BPE trained on the corpus (as training makes it)";
    }
    try {
      CorpusStats s = CorpusStats.count(p.corpusPaths(), tok,
          (done, total) -> job.progress(total == 0 ? -1 : (double) done / total, Double.NaN, "counting tokens"));
      int k;
      int l;
      String shape;
      if (withTokenizer != null) {
        AutoencoderConfig c = AutoencoderConfig.read(withTokenizer.dir().resolve(AutoencoderTrainer.CONFIG));
        k = c.patchSize();
        l = c.latentSize();
        shape = "checkpoint " + withTokenizer.name();
      } else {
        String preset = p.preset("autoencoder").has("preset") ? p.preset("autoencoder").get("preset").getAsString() : AePresets.DEFAULT;
        AePresets.Preset pr = AePresets.get(preset);
        k = pr.model().get("patch_size").intValue();
        l = pr.model().get("latent_size").intValue();
        shape = "preset " + preset;
      }
      return new StatsResult(s, tok.vocabSize(), source, k, l, shape);
    } finally {
      if (tok instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception ignored) {
          // native tokenizer memory only
        }
      }
    }
  }

  /** The table rows for a statistics result. */
  public static List<StatRow> rows(StatsResult r) {
    CorpusStats s = r.stats();
    double log2v = Math.log(r.vocabSize()) / Math.log(2);
    int k = r.patchSize();
    double chunkBits = k * log2v;
    List<StatRow> out = new ArrayList<>();
    out.add(new StatRow("Documents", String.format(Locale.ROOT, "%,d", s.documents()), "Documents as the corpus reader splits them."));
    out.add(new StatRow("Characters", String.format(Locale.ROOT, "%,d", s.chars()), "Characters of text in the documents."));
    out.add(new StatRow("Tokens", String.format(Locale.ROOT, "%,d", s.tokens()), "Token ids after tokenizing with " + r.tokenizerSource() + "."));
    out.add(new StatRow("Distinct tokens", String.format(Locale.ROOT, "%,d of V = %,d", s.distinctTokens(), r.vocabSize()),
        "How many different token ids occur, out of the vocabulary size V."));
    out.add(new StatRow("Unigram entropy H", String.format(Locale.ROOT, "%.2f bits/token", s.unigramEntropyBits()), Concepts.ENTROPY));
    out.add(new StatRow("log2 V", String.format(Locale.ROOT, "%.2f bits/token", log2v), Concepts.LOG2V));
    out.add(new StatRow("Chunk of K = " + k + " tokens",
        String.format(Locale.ROOT, "≤ %.1f bits (K·log2 V); ≈ %.1f bits (K·H)", chunkBits, k * s.unigramEntropyBits()), Concepts.PATCH));
    out.add(new StatRow("Latent capacity (L = " + r.latentSize() + ")",
        String.format(Locale.ROOT, "%.2f bits per latent number (K·log2 V / L), %s", chunkBits / r.latentSize(), r.shapeSource()),
        Concepts.CAPACITY));
    return out;
  }

  // ---- state ---------------------------------------------------------------------------------

  private void show(Project p) {
    recent.setAll(ctx.settings().recentProjects());
    if (p == null) {
      name.set("no project open");
      folder.set("");
      description.set("Open a project folder (one with a project.json) or create one.");
      corpora.clear();
      stats.clear();
      return;
    }
    name.set(p.name());
    folder.set(p.folder().toString());
    description.set(p.description());
    List<CorpusEntry> entries = new ArrayList<>();
    List<Path> resolved = p.corpusPaths();
    for (int i = 0; i < resolved.size(); i++) {
      Path r = resolved.get(i);
      entries.add(new CorpusEntry(p.corpus().get(i), r, Files.exists(r), size(r)));
    }
    corpora.setAll(entries);
  }

  private static long size(Path p) {
    try {
      if (Files.isRegularFile(p)) {
        return Files.size(p);
      }
      if (Files.isDirectory(p)) {
        try (var s = Files.walk(p)) {
          return s.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return 0;
  }

  static String humanBytes(long b) {
    if (b < 1024) {
      return b + " B";
    }
    if (b < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KB", b / 1024.0);
    }
    return String.format(Locale.ROOT, "%.1f MB", b / (1024.0 * 1024));
  }
}
