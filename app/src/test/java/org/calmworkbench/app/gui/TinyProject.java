package org.calmworkbench.app.gui;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.calmworkbench.backend.project.Project;
import org.calmworkbench.backend.sample.GrammarCorpus;
import org.calmworkbench.backend.train.TrainControl;
import org.calmworkbench.backend.workflow.AeTraining;

/**
 * A small project for GUI tests: a generated corpus of a few hundred sentences, a 300-token
 * vocabulary, and (made once per JVM, shared by test classes) a tiny trained autoencoder.
 */
public final class TinyProject {
  private TinyProject() {}

  public static final String CHECKPOINT = "ae-tiny";
  private static Path trained;

  /** A new project in {@code dir}: corpus/train.jsonl, tokenizer vocab 300, tiny autoencoder preset. */
  public static Project create(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("corpus"));
    GrammarCorpus.writeJsonl(dir.resolve("corpus/train.jsonl"), 7, 600);
    Files.writeString(dir.resolve(Project.FILE_NAME), """
        {
          "format": 1,
          "name": "tiny-test",
          "description": "generated for GUI tests",
          "seed": 42,
          "corpus": ["corpus/train.jsonl"],
          "validation_fraction": 0.1,
          "presets": {"tokenizer": {"vocab_size": 300}, "autoencoder": {"preset": "tiny", "batch_size": 64, "eval_every": 10}}
        }
        """);
    return Project.load(dir);
  }

  /** {@code project} with another seed and validation_fraction, re-read from disk. */
  public static Project withSplit(Project project, long seed, double validationFraction) throws IOException {
    return edit(edit(project, "\"seed\": 42", "\"seed\": " + seed),
        "\"validation_fraction\": 0.1", "\"validation_fraction\": " + validationFraction);
  }

  /** {@code project} with the text {@code from} of its project.json replaced by {@code to}, re-read from disk. */
  public static Project edit(Project project, String from, String to) throws IOException {
    String json = Files.readString(project.file());
    if (!json.contains(from)) {
      throw new IllegalArgumentException(project.file() + " has no " + from);
    }
    Files.writeString(project.file(), json.replace(from, to));
    return Project.load(project.folder());
  }

  /** A project in {@code dir} that also holds a tiny trained checkpoint in runs/ae-tiny (trained once, copied). */
  public static synchronized Project createWithCheckpoint(Path dir) throws Exception {
    if (trained == null) {
      Path base = Files.createTempDirectory("calm-gui-tiny");
      Project p = create(base);
      Path out = base.resolve("runs").resolve(CHECKPOINT);
      AeTraining.run(new AeTraining.Options(p.corpusPaths(), out, null, 300, "tiny",
          List.of("batch_size=64", "eval_every=100"), 300, null, 42L, false), new AeTraining.Listener() {
            @Override
            public void onProgress(org.calmworkbench.backend.train.TrainingLoop.Progress pr) {}
          }, TrainControl.NONE);
      trained = out;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(base)));
    }
    Project p = create(dir);
    Path target = dir.resolve("runs").resolve(CHECKPOINT);
    Files.createDirectories(target);
    try (Stream<Path> files = Files.list(trained)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(f, target.resolve(f.getFileName()));
      }
    }
    return p;
  }

  static void delete(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // temp files; the OS cleans up
    }
  }
}
