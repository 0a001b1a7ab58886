package org.calmworkbench.app.cli.commands;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.app.cli.Ranges;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.data.CorpusSplit;
import org.calmworkbench.backend.project.Project;
import org.calmworkbench.backend.sample.GrammarCorpus;
import picocli.CommandLine.Option;

/**
 * {@code calm sample generate --out DIR}: a ready-to-train project folder with a synthetic corpus
 * from {@link GrammarCorpus}, the same way {@code sample-projects/grammar-english} was made.
 */
public final class SampleGenerateCommand implements Command {
  @Option(names = "--out", paramLabel = "DIR", required = true, description = "project folder to write (created if missing)")
  Path out;
  @Option(names = "--sentences", paramLabel = "N", description = "sentences in the corpus")
  Integer sentences = DEFAULT_SENTENCES;
  @Option(names = "--seed", paramLabel = "S", description = "seed of the grammar, also stored as the project seed")
  Long seed = Project.DEFAULT_SEED;
  @Option(names = "--name", paramLabel = "NAME", description = "project name (default: the folder's name)")
  String name;
  @Option(names = "--force", description = "overwrite an existing project.json and corpus file")
  boolean force;

  /** About 1.4 MB of JSONL: a laptop-preset autoencoder learns it in minutes on a CPU. */
  public static final int DEFAULT_SENTENCES = 30_000;

  public static final String CORPUS_FILE = "corpus/train.jsonl";

  @Override
  public String name() {
    return "sample generate";
  }

  @Override
  public String summary() {
    return "write a sample project with a synthetic English corpus (no download needed)";
  }

  @Override
  public String description() {
    return """
        Writes a project folder that trains offline: DIR/corpus/train.jsonl (stories in simple English
        from a seeded probabilistic grammar, one {"text": ...} object per line) and DIR/project.json
        (corpus path, seed, default presets: tokenizer vocab_size 1024, autoencoder preset laptop).
        The same --sentences and --seed always give the same bytes.

        example: calm sample generate --out my-project --sentences 5000 --seed 7""";
  }


  @Override
  public int run(CliContext ctx) throws Exception {
    Path folder = out.toAbsolutePath().normalize();
    Ranges.check("sentences", sentences, 1, 10_000_000);
    String projectName = java.util.Optional.ofNullable(name).orElse(folder.getFileName() == null ? "sample" : folder.getFileName().toString());
    Path corpus = folder.resolve(CORPUS_FILE);
    Path projectFile = folder.resolve(Project.FILE_NAME);
    if (!force) {
      for (Path p : List.of(projectFile, corpus)) {
        if (Files.exists(p)) {
          throw new CalmException(p + " already exists; pass --force to overwrite it, or choose another --out");
        }
      }
    }
    if (Files.exists(folder) && !Files.isDirectory(folder)) {
      throw new CalmException("--out " + folder + " is a file, not a folder");
    }

    GrammarCorpus.Written w = GrammarCorpus.writeJsonl(corpus, seed, sentences);
    JsonObject tokenizer = new JsonObject();
    tokenizer.addProperty("vocab_size", 1024);
    JsonObject autoencoder = new JsonObject();
    autoencoder.addProperty("preset", "laptop");
    String description = String.format(Locale.ROOT,
        "Synthetic simple English from a seeded probabilistic grammar: %d sentences in %d stories (seed %d). "
            + "Made with: calm sample generate --out %s --sentences %d --seed %d",
        sentences, w.documents(), seed, folder.getFileName(), sentences, seed);
    Map<String, JsonObject> presets = new LinkedHashMap<>(); // file order: tokenizer first
    presets.put("tokenizer", tokenizer);
    presets.put("autoencoder", autoencoder);
    Project project = new Project(folder, projectName, description, seed, List.of(CORPUS_FILE),
        CorpusSplit.DEFAULT_VALIDATION_FRACTION, presets);
    project.save();

    ctx.out().printf(Locale.ROOT, "wrote %s: %,d stories, %,d sentences, %.2f MB%n", corpus, w.documents(),
        w.sentences(), w.bytes() / 1e6);
    ctx.out().println("wrote " + projectFile);
    ctx.put("project", projectFile);
    ctx.put("corpus", corpus);
    ctx.put("documents", w.documents());
    ctx.put("sentences", w.sentences());
    ctx.put("chars", w.chars());
    ctx.put("bytes", w.bytes());
    ctx.put("seed", seed);
    return 0;
  }
}
