package org.calmworkbench.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.calmworkbench.app.cli.CliAutoencoderTest.Run;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --project DIR} on the training and evaluation commands: the corpus, seed, split and presets
 * come from project.json unless the command line gives them, and runs go to PROJECT/runs/KIND-time.
 */
class CliProjectTest {
  @TempDir static Path shared;
  static Path project;
  static Path corpus;
  static JsonObject aeRun;
  static Path ae;
  static Path lm;

  static final String PRESETS = """
      {"tokenizer": {"vocab_size": 300},
       "autoencoder": {"preset": "tiny", "steps": 6},
       "lm": {"preset": "tiny", "steps": 4, "context_chunks": 8, "eval_positions": 16},
       "ar": {"preset": "tiny", "steps": 3, "context_chunks": 8, "eval_positions": 16}}""";

  static Run calm(String... args) {
    return CliAutoencoderTest.calm(args);
  }

  /** A project folder holding project.json with {@code seed} and {@code fraction}; the corpus is shared. */
  static Path project(String name, long seed, double fraction) throws Exception {
    Path dir = shared.resolve(name);
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("project.json"), """
        {"name": "%s", "seed": %d, "corpus": ["%s"], "validation_fraction": %s, "presets": %s}
        """.formatted(name, seed, corpus.toString().replace("\\", "/"), fraction, PRESETS));
    return dir;
  }

  @BeforeAll
  static void trainThroughTheProject() throws Exception {
    corpus = shared.resolve("corpus.jsonl");
    List<String> lines = new ArrayList<>();
    for (int d = 0; d < 40; d++) { // documents of different lengths, so two splits differ in tokens
      lines.add("{\"text\": \"" + CliAutoencoderTest.sentences(20 + 3 * d) + "\"}");
    }
    Files.write(corpus, lines);
    project = project("p", 7, 0.3);
    Run r = calm("ae", "train", "--project", project.toString(), "--json");
    assertEquals(0, r.code(), r.err());
    aeRun = r.json();
    ae = Path.of(aeRun.get("checkpoint").getAsString());
    r = calm("lm", "train", "--project", project.toString(), "--autoencoder", ae.toString(), "--json");
    assertEquals(0, r.code(), r.err());
    lm = Path.of(r.json().get("checkpoint").getAsString());
  }

  private static JsonObject read(Path file) throws Exception {
    return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
  }

  private static void assertRunFolder(Path run, String kind) {
    assertEquals(project.resolve("runs").toAbsolutePath().normalize(), run.toAbsolutePath().normalize().getParent());
    assertTrue(run.getFileName().toString().matches(kind + "-\\d{8}-\\d{6}(-\\d+)?"), run.toString());
  }

  @Test
  void aeTrainTakesTheCorpusPresetsAndRunFolderFromTheProject() throws Exception {
    assertRunFolder(ae, "ae");
    assertEquals(6, aeRun.get("steps").getAsInt(), "presets.autoencoder.steps: " + aeRun);
    assertEquals(300, read(ae.resolve("config.json")).get("vocab_size").getAsInt(), "presets.tokenizer.vocab_size");
    assertTrue(aeRun.get("valid_tokens").getAsLong() > 0 && aeRun.get("train_tokens").getAsLong() > 0, aeRun.toString());
  }

  @Test
  void theSplitHonoursTheProjectsValidationFractionAndSeed() throws Exception {
    JsonObject split = read(ae.resolve("split.json"));
    assertEquals(7, split.get("split_seed").getAsLong());
    assertEquals(0.3, split.get("validation_fraction").getAsDouble());
    double share = aeRun.get("validation_fraction").getAsDouble(); // the realised share in tokens
    assertTrue(share > 0.3 * 0.8 && share < 0.3 * 1.2, "realised validation share " + share + " for 0.3");

    // the same project with another seed holds out other documents; the same seed the same ones
    Path other = project("q", 8, 0.3);
    Run r = calm("ae", "train", "--project", other.toString(), "--steps", "1", "--json");
    assertEquals(0, r.code(), r.err());
    JsonObject otherSplit = read(Path.of(r.json().get("checkpoint").getAsString()).resolve("split.json"));
    assertEquals(8, otherSplit.get("split_seed").getAsLong());
    assertNotEquals(split.get("valid_tokens").getAsLong(), otherSplit.get("valid_tokens").getAsLong(), "seed 8 vs 7");
    Path again = project("p2", 7, 0.3);
    r = calm("ae", "train", "--project", again.toString(), "--steps", "1", "--json");
    assertEquals(0, r.code(), r.err());
    JsonObject sameSplit = read(Path.of(r.json().get("checkpoint").getAsString()).resolve("split.json"));
    assertEquals(split.get("valid_tokens").getAsLong(), sameSplit.get("valid_tokens").getAsLong());
    assertEquals(split.get("valid_documents").getAsLong(), sameSplit.get("valid_documents").getAsLong());
  }

  @Test
  void theCommandLineWinsOverTheProject() throws Exception {
    Path out = shared.resolve("explicit-ae");
    Run r = calm("ae", "train", "--project", project.toString(), "--out", out.toString(), "--steps", "2",
        "--vocab-size", "280", "--set", "validation_fraction=0.5", "--json");
    assertEquals(0, r.code(), r.err());
    assertEquals(out.toAbsolutePath().toString(), r.json().get("checkpoint").getAsString());
    assertEquals(2, r.json().get("steps").getAsInt());
    assertEquals(280, read(out.resolve("config.json")).get("vocab_size").getAsInt());
    JsonObject split = read(out.resolve("split.json"));
    assertEquals(0.5, split.get("validation_fraction").getAsDouble());
    assertEquals(7, split.get("split_seed").getAsLong(), "what the command line leaves alone stays the project's");
  }

  @Test
  void lmAndArTrainTakeTheirStagesPresets() throws Exception {
    assertRunFolder(lm, "lm");
    assertEquals(7, read(lm.resolve("split.json")).get("split_seed").getAsLong());
    long lmSteps = Files.readAllLines(lm.resolve("metrics.jsonl")).stream()
        .mapToLong(l -> JsonParser.parseString(l).getAsJsonObject().get("step").getAsLong()).max().orElse(-1);
    assertEquals(4, lmSteps, "presets.lm.steps");
    Run r = calm("ar", "train", "--project", project.toString(), "--tokenizer", ae.toString(), "--json");
    assertEquals(0, r.code(), r.err());
    assertEquals(3, r.json().get("steps").getAsInt(), "presets.ar.steps: " + r.json());
    Path ar = Path.of(r.json().get("checkpoint").getAsString());
    assertRunFolder(ar, "ar");
    assertEquals(0.3, read(ar.resolve("split.json")).get("validation_fraction").getAsDouble());
  }

  @Test
  void tokenizerTrainTakesItsVocabularyAndFolderFromTheProject() {
    Run r = calm("tokenizer", "train", "--project", project.toString(), "--json");
    assertEquals(0, r.code(), r.err());
    assertEquals(300, r.json().get("vocab_size").getAsInt());
    Path file = Path.of(r.json().get("tokenizer").getAsString());
    assertRunFolder(file.getParent(), "tokenizer");
  }

  @Test
  void evaluationCommandsTakeTheCorpusAndSeedFromTheProject() {
    Run viaProject = calm("eval", "--project", project.toString(), "--checkpoint", lm.toString(), "--positions", "8", "--json");
    assertEquals(0, viaProject.code(), viaProject.err());
    Run explicit = calm("eval", "--corpus", corpus.toString(), "--seed", "7", "--checkpoint", lm.toString(), "--positions", "8",
        "--json");
    assertEquals(explicit.json().get("brier"), viaProject.json().get("brier"), "the project's corpus and seed 7");
    Run aeEval = calm("ae", "eval", "--project", project.toString(), "--checkpoint", ae.toString(), "--max-patches", "50",
        "--noise", "0", "--json");
    assertEquals(0, aeEval.code(), aeEval.err());
    Run levels = calm("lm", "levels", "--project", project.toString(), "--checkpoint", lm.toString(), "--windows", "2",
        "--samples", "2", "--json");
    assertEquals(0, levels.code(), levels.err());
  }

  @Test
  void withoutCorpusOrProjectOrWithABadProjectTheLineIsBadInput() throws Exception {
    Run none = calm("ae", "train", "--out", shared.resolve("x").toString());
    assertEquals(2, none.code());
    assertTrue(none.err().startsWith("error: missing required option --corpus PATH... (or --project DIR)"), none.err());
    Run noOut = calm("ae", "train", "--corpus", corpus.toString());
    assertEquals(2, noOut.code());
    assertTrue(noOut.err().startsWith("error: missing required option --out DIR (or --project DIR)"), noOut.err());
    Run missing = calm("eval", "--project", shared.resolve("nowhere").toString(), "--checkpoint", lm.toString());
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains(shared.resolve("nowhere").resolve("project.json").toString()), missing.err());
    Path typo = shared.resolve("typo");
    Files.createDirectories(typo);
    Files.writeString(typo.resolve("project.json"), """
        {"name": "t", "corpus": ["%s"], "presets": {"autoencoder": {"latent_sise": 8}}}
        """.formatted(corpus.toString().replace("\\", "/")));
    Run bad = calm("ae", "train", "--project", typo.toString());
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("project.json: 'presets.autoencoder.latent_sise' is not a setting"), bad.err());
    Run resume = calm("ae", "train", "--project", project.toString(), "--resume");
    assertEquals(2, resume.code());
    assertTrue(resume.err().startsWith("error: --resume needs --out DIR"), resume.err());
  }
}
