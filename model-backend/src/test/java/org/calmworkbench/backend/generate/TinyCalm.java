package org.calmworkbench.backend.generate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.calmworkbench.backend.io.AtomicFiles;
import org.calmworkbench.backend.model.InputMode;
import org.calmworkbench.backend.train.TrainControl;
import org.calmworkbench.backend.workflow.AeTraining;
import org.calmworkbench.backend.workflow.LmTraining;

/**
 * A tiny, briefly trained CALM checkpoint for tests, built once per JVM through the same
 * workflows as {@code calm ae train} and {@code calm lm train}: a 300-token BPE and a tiny
 * autoencoder (100 steps) on simple sentences, then a tiny language model (30 steps).
 */
public final class TinyCalm {
  private TinyCalm() {}

  private static Path root;

  /** Sentences with a small vocabulary, so a tiny model learns something in a few steps. */
  public static String sentences(int n) {
    String[] subjects = {"the cat", "a dog", "my friend", "the teacher", "our robot"};
    String[] verbs = {"sees", "likes", "finds", "draws", "reads"};
    String[] objects = {"a red ball", "the old book", "two birds", "a small tree", "the blue sea"};
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(subjects[i % 5]).append(' ').append(verbs[(i / 5) % 5]).append(' ').append(objects[(i / 25) % 5]).append(". ");
    }
    return sb.toString();
  }

  /** The folder holding corpus.jsonl, ae/ and lm/. */
  public static synchronized Path root() {
    if (root == null) {
      try {
        Path dir = Files.createTempDirectory("tiny-calm");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
        Path corpus = dir.resolve("corpus.jsonl");
        List<String> lines = new ArrayList<>();
        for (int d = 0; d < 40; d++) {
          lines.add("{\"text\": \"" + sentences(40 + d) + "\"}");
        }
        Files.write(corpus, lines);
        AeTraining.run(new AeTraining.Options(List.of(corpus), dir.resolve("ae"), null, 300, "tiny", List.of(), 100, null,
            1L, false), p -> {}, TrainControl.NONE);
        LmTraining.run(new LmTraining.Options(dir.resolve("ae"), List.of(corpus), dir.resolve("lm"), "energy",
            InputMode.DISCRETE, "tiny", List.of("eval_positions=0"), 30, null, 1L, false), p -> {}, TrainControl.NONE);
        root = dir;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    return root;
  }

  public static Path checkpoint() {
    return root().resolve("lm");
  }

  public static Path corpus() {
    return root().resolve("corpus.jsonl");
  }

  /** A copy of the checkpoint folder (autoencoder included) that a test may modify. */
  public static Path copy(Path to) {
    copyTree(checkpoint(), to);
    return to;
  }

  static void copyTree(Path from, Path to) {
    try {
      AtomicFiles.copyTree(from, to, rel -> false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }


  static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort at JVM exit
    }
  }
}
