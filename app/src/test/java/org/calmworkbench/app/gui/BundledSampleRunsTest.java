package org.calmworkbench.app.gui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.calmworkbench.backend.eval.KnownWords;
import org.calmworkbench.backend.generate.ArGenerator;
import org.calmworkbench.backend.generate.CalmGenerator;
import org.calmworkbench.backend.project.RunStore;
import org.calmworkbench.backend.train.ArCheckpoint;
import org.calmworkbench.backend.train.AutoencoderCheckpoint;
import org.calmworkbench.backend.train.CalmCheckpoint;
import org.junit.jupiter.api.Test;

/**
 * The runs bundled with the sample project (scripts/make-sample-runs.sh) are what the Generator,
 * Inspector and Latent explorer pick when the project opens: each is listed, loads from its bf16
 * weights, generates, and finds its training corpus through the relative path in split.json.
 */
class BundledSampleRunsTest {
  static final Path PROJECT = Path.of("..", "sample-projects", "grammar-english").toAbsolutePath().normalize();

  @Test
  void theSampleProjectListsAndLoadsItsBundledRuns() throws Exception {
    assertTrue(Files.isDirectory(PROJECT.resolve("runs")), PROJECT + " has no runs folder");
    List<RunStore.Checkpoint> aes = RunStore.autoencoders(PROJECT);
    assertTrue(aes.stream().anyMatch(i -> i.name().equals("sample-autoencoder")), aes.toString());
    assertTrue(RunStore.calm(PROJECT).stream().anyMatch(i -> i.name().equals("sample-calm")));
    assertTrue(RunStore.ar(PROJECT).stream().anyMatch(i -> i.name().equals("sample-ar")));

    try (AutoencoderCheckpoint ae = AutoencoderCheckpoint.load(PROJECT.resolve("runs/sample-autoencoder"))) {
      assertEquals(4, ae.config().patchSize());
    }
    try (CalmCheckpoint ck = CalmCheckpoint.load(PROJECT.resolve("runs/sample-calm"))) {
      CalmGenerator.Result r = CalmGenerator.run(ck, CalmGenerator.Options.of("Once upon a time").withMaxTokens(8),
          e -> {}, () -> false);
      assertTrue(r.tokens() > 0);
    }
    try (ArCheckpoint ck = ArCheckpoint.load(PROJECT.resolve("runs/sample-ar"))) {
      assertNotNull(ArGenerator.run(ck, ArGenerator.Options.of("Once upon a time").withMaxTokens(8), e -> {}, () -> false));
    }
    KnownWords words = KnownWords.ofRun(PROJECT.resolve("runs/sample-calm")).orElseThrow();
    assertTrue(words.size() > 500, "the corpus vocabulary through split.json's relative path: " + words.size());
  }
}
