package org.calmworkbench.backend.workflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.generate.ArGenerator;
import org.calmworkbench.backend.model.ArConfig;
import org.calmworkbench.backend.sample.GrammarCorpus;
import org.calmworkbench.backend.tokenizer.Tokenizers;
import org.calmworkbench.backend.train.Checkpoints;
import org.calmworkbench.backend.train.TrainControl;
import org.calmworkbench.backend.train.TrainingLoop;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code calm ar train} end to end on a small grammar corpus, then generation from its checkpoint. */
class ArTrainingTest {
  @TempDir static Path project; // a project.json here keeps the token cache inside the temp folder
  static Path corpus;
  static Path tokenizerDir;

  @BeforeAll
  static void corpusAndTokenizer() throws Exception {
    Files.writeString(project.resolve("project.json"), "{}");
    corpus = project.resolve("corpus.jsonl");
    GrammarCorpus.writeJsonl(corpus, 1, 1500);
    tokenizerDir = Files.createDirectories(project.resolve("tokenizer"));
    Tokenizers.save(AeTraining.trainTokenizer(List.of(corpus), 320), tokenizerDir);
  }

  static ArTraining.Options options(Path out, List<String> sets, int steps, boolean resume) {
    return new ArTraining.Options(resume ? null : tokenizerDir, List.of(corpus), out, "tiny", sets, steps, null, 3L, resume);
  }

  @Test
  void trainsResumesWithItsOwnContextAndGenerates() throws Exception {
    Path out = project.resolve("run");
    List<String> stages = new ArrayList<>();
    AeTraining.Listener listener = new AeTraining.Listener() {
      @Override
      public void onProgress(TrainingLoop.Progress p) {}

      @Override
      public void onStage(String stage, double fraction) {
        stages.add(stage);
      }
    };
    TrainingLoop.Result r = ArTraining.run(options(out, List.of("context_chunks=4", "batch_size=8", "eval_positions=8"), 6,
        false), listener, TrainControl.NONE);
    assertEquals(6, r.steps());
    assertEquals(6L * 8 * 16, r.tokensSeen()); // B = 8 windows of T = 4 * 4 tokens
    assertTrue(stages.contains("tokenizing the corpus"), stages.toString());
    assertEquals("calm_ar", Checkpoints.modelType(out).key());
    assertEquals(4, Checkpoints.contextChunks(out).getAsInt());
    assertArrayEquals(Files.readAllBytes(tokenizerDir.resolve("tokenizer.json")), Files.readAllBytes(out.resolve("tokenizer.json")));
    assertEquals(320, ArConfig.read(out.resolve("config.json")).vocabSize());

    // Resumed without settings: the run's own context (4 chunks, not the preset's 16) and batch size.
    TrainingLoop.Result resumed = ArTraining.run(options(out, List.of(), 9, true), listener, TrainControl.NONE);
    assertEquals(9, resumed.steps());
    assertEquals(9L * 8 * 16, resumed.tokensSeen());

    // calm eval on the AR checkpoint: the documented JSON, plus the exact Brier-1 check.
    com.google.gson.JsonObject evaluated = LmEvaluation.run(new LmEvaluation.Options(out, List.of(corpus), 24, 5)).toJson();
    assertEquals("calm_ar", evaluated.get("model_type").getAsString());
    assertEquals(24, evaluated.get("positions").getAsLong());
    assertEquals(4, evaluated.get("context_chunks").getAsInt());
    assertEquals(4, evaluated.getAsJsonArray("brier").size());
    double exact = evaluated.get("exact_brier_1").getAsDouble();
    assertTrue(exact > -1 && exact <= 1, "exact Brier-1 " + exact);
    assertEquals(evaluated, LmEvaluation.run(new LmEvaluation.Options(out, List.of(corpus), 24, 5)).toJson(), "same seed, same scores");

    List<ArGenerator.TokenEvent> events = new ArrayList<>();
    ArGenerator.Result g = ArGenerator.run(out, ArGenerator.Options.of("the cat ").withMaxTokens(6).withSeed(1), events::add);
    assertEquals(g.steps(), events.size());
    assertTrue(g.steps() >= 1 && g.steps() <= 6, "steps " + g.steps());

    String longPrompt = "the dog sees the cat and the cat sees the dog in the big red house by the sea";
    CalmException e = assertThrows(CalmException.class,
        () -> ArGenerator.run(out, ArGenerator.Options.of(longPrompt), ev -> {}));
    assertTrue(e.getMessage().contains("trained on contexts of 16 tokens"), e.getMessage());
  }

  @Test
  void energyHeadSettingsAreUnknownKeysForTheBaseline() {
    CalmException e = assertThrows(CalmException.class, () -> ArTraining.run(
        options(project.resolve("bad"), List.of("noise_size=8"), 2, false), p -> {}, TrainControl.NONE));
    assertTrue(e.getMessage().contains("unknown key 'noise_size'"), e.getMessage());
  }

  @Test
  void aTokenizerIsRequiredForANewRun() {
    ArTraining.Options o = new ArTraining.Options(null, List.of(corpus), project.resolve("none"), "tiny", List.of(), 2,
        null, null, false);
    CalmException e = assertThrows(CalmException.class, () -> ArTraining.run(o, p -> {}, TrainControl.NONE));
    assertTrue(e.getMessage().contains("--tokenizer"), e.getMessage());
  }

  @Test
  void resumingWithADifferentTokenizerIsRefused() throws Exception {
    Path out = project.resolve("tok-mismatch");
    ArTraining.run(options(out, List.of("context_chunks=2", "batch_size=2", "eval_positions=0"), 1, false), p -> {},
        TrainControl.NONE);
    Path other = Files.createDirectories(project.resolve("other-tokenizer"));
    Tokenizers.save(AeTraining.trainTokenizer(List.of(corpus), 300), other);
    ArTraining.Options o = new ArTraining.Options(other, List.of(corpus), out, "tiny", List.of(), 2, null, null, true);
    CalmException e = assertThrows(CalmException.class, () -> ArTraining.run(o, p -> {}, TrainControl.NONE));
    assertTrue(e.getMessage().contains("differs from the checkpoint's"), e.getMessage());
  }
}
