package org.calmworkbench.backend.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.model.InputMode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Reading experiment files: the grid, defaults, and an error naming file and key for each mistake. */
class ExperimentTest {
  @TempDir Path dir;
  Path file;

  static final String VALID = """
      {"name": "demo", "corpus": "data/train.jsonl",
       "grid": {"patch_sizes": [1, 2, 4], "heads": ["energy", "flow"], "inputs": ["discrete", "both"],
                "latent_sizes": [8, 16], "seeds": [1, 2], "include_ar_baseline": true},
       "budget": {"steps": 50, "autoencoder_steps": 20}}
      """;

  @BeforeEach
  void corpus() throws Exception {
    Files.createDirectories(dir.resolve("data"));
    Files.writeString(dir.resolve("data/train.jsonl"), "{\"text\": \"hello\"}\n");
    file = dir.resolve("exp.json");
  }

  Experiment parse(String json) {
    return Experiment.parse(json, file);
  }

  @Test
  void expandsTheGridInRunOrderWithOneArCellPerSeed() {
    Experiment x = parse(VALID);
    List<ExperimentCell> cells = x.cells();
    assertEquals(2 * (3 * 2 * 2 * 2 + 1), cells.size());
    assertEquals("k1-l8-energy-discrete-s1", cells.get(0).id());
    assertEquals("k1-l8-energy-both-s1", cells.get(1).id());
    assertEquals("ar-s1", cells.get(24).id());
    assertEquals("ar-s2", cells.get(49).id());
    assertEquals(cells.size(), cells.stream().map(ExperimentCell::id).distinct().count());
    assertEquals(dir.resolve("data/train.jsonl").toAbsolutePath().normalize(), x.corpus().get(0));
    assertEquals(Experiment.Budget.Kind.STEPS, x.budget().kind());
    assertEquals(20, x.budget().autoencoderSteps());
    assertNull(cells.get(24).autoencoderId());
    assertEquals(cells.get(0).autoencoderId(), cells.get(3).autoencoderId(), "heads and inputs share an autoencoder");
  }

  @Test
  void optionalKeysTakeDocumentedDefaults() {
    Experiment x = parse("""
        {"corpus": ["data/train.jsonl"], "grid": {"patch_sizes": [4]}, "budget": {"minutes": 1.5}}
        """);
    assertEquals("exp", x.name());
    assertEquals(List.of("energy"), x.grid().heads());
    assertEquals(List.of(InputMode.DISCRETE), x.grid().inputs());
    assertEquals(List.of(Experiment.DEFAULT_SEED), x.grid().seeds());
    assertEquals(List.of(32), x.grid().latentSizes(), "the laptop autoencoder's latent size");
    assertFalse(x.grid().includeArBaseline());
    assertEquals(Experiment.DEFAULT_VOCAB_SIZE, x.tokenizer().vocabSize());
    assertEquals(1.5, x.budget().value());
    assertEquals(Experiment.DEFAULT_POSITIONS, x.evaluation().positions());
  }

  @Test
  void nameAndDescriptionDoNotChangeTheMeaning() {
    Experiment a = parse(VALID);
    Experiment b = parse(VALID.replace("\"name\": \"demo\"", "\"name\": \"other\", \"description\": \"x\""));
    assertEquals(a.meaning(), b.meaning());
    assertNotEquals(a.meaning(), parse(VALID.replace("\"steps\": 50", "\"steps\": 51")).meaning());
    assertNull(ExperimentRunner.difference(a.meaning(), b.meaning(), ""));
    assertEquals("budget.steps", ExperimentRunner.difference(a.meaning(),
        parse(VALID.replace("\"steps\": 50", "\"steps\": 51")).meaning(), ""));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "unknown top-level key | \"grid\": { | \"grids\": {\"patch_sizes\": [4]}, \"grid\": { | grids",
      "unknown grid key | \"seeds\" | \"seed\" | grid.seed",
      "empty grid list | [1, 2, 4] | [] | grid.patch_sizes",
      "K out of range | [1, 2, 4] | [1, 2, 400] | grid.patch_sizes",
      "K not an integer | [1, 2, 4] | [1, 2.5] | grid.patch_sizes",
      "unknown head | \"flow\" | \"flows\" | grid.heads",
      "unknown input | \"both\" | \"tokens\" | grid.inputs",
      "duplicate seed | [1, 2] | [1, 1] | grid.seeds",
      "two budgets | \"steps\": 50 | \"steps\": 50, \"minutes\": 3 | budget",
      "no budget | \"steps\": 50, | '' | budget",
      "negative steps | \"steps\": 50 | \"steps\": -5 | budget.steps",
      "missing corpus file | data/train.jsonl | data/missing.jsonl | corpus",
      "missing grid | \"grid\": | \"grid_\": | grid",
      "boolean as string | true} | \"yes\"} | grid.include_ar_baseline",
  })
  void eachMistakeNamesTheFileAndTheKey(String what, String from, String to, String key) {
    String json = VALID.replace(from, to);
    assertNotEquals(VALID, json, "the case must change the file: " + what);
    CalmException e = assertThrows(CalmException.class, () -> parse(json), what);
    assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(key), what + ": " + e.getMessage());
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
  }

  @Test
  void setKeysAreCheckedAgainstTheWorkflowsAndTheGridOwnsItsOwn() {
    String withSets = VALID.replace("\"grid\"",
        "\"autoencoder\": {\"preset\": \"tiny\", \"set\": {\"hidden_size\": 32}}, \"lm\": {\"set\": {\"lr\": 0.001}}, \"grid\"");
    assertEquals(32, parse(withSets).autoencoder().set().get("hidden_size").intValue());
    CalmException unknown = assertThrows(CalmException.class, () -> parse(withSets.replace("hidden_size", "hiden_size")));
    assertTrue(unknown.getMessage().contains("autoencoder.set.hiden_size") && unknown.getMessage().contains("valid keys"),
        unknown.getMessage());
    CalmException owned = assertThrows(CalmException.class, () -> parse(withSets.replace("hidden_size", "patch_size")));
    assertTrue(owned.getMessage().contains("autoencoder.set.patch_size") && owned.getMessage().contains("grid.patch_sizes"),
        owned.getMessage());
    CalmException range = assertThrows(CalmException.class, () -> parse(withSets.replace("0.001", "5")));
    assertTrue(range.getMessage().contains(file.toString()) && range.getMessage().contains("lr"), range.getMessage());
    CalmException preset = assertThrows(CalmException.class, () -> parse(withSets.replace("\"tiny\"", "\"huge\"")));
    assertTrue(preset.getMessage().contains("autoencoder.preset") && preset.getMessage().contains("laptop"),
        preset.getMessage());
  }

  @Test
  void contextTokensMustFitEveryPatchSize() {
    String json = VALID.replace("\"grid\"", "\"lm\": {\"context_tokens\": 6}, \"grid\"");
    CalmException e = assertThrows(CalmException.class, () -> parse(json));
    assertTrue(e.getMessage().contains("lm.context_tokens") && e.getMessage().contains("K = 4"), e.getMessage());
    assertEquals(64, parse(VALID.replace("\"grid\"", "\"lm\": {\"context_tokens\": 64}, \"grid\"")).contextTokens());
  }

  @Test
  void positionsPerStepSetsEachCellsBatchSoThatEveryKPredictsAsManyVectorsPerStep() {
    Experiment x = parse(VALID.replace("\"grid\"", "\"lm\": {\"context_tokens\": 32, \"positions_per_step\": 256}, \"grid\""));
    assertEquals(256, x.positionsPerStep());
    for (ExperimentCell c : x.cells()) {
      int perSequence = c.ar() ? 32 : 32 / c.patchSize();
      assertEquals(256, x.batchSize(c).orElseThrow() * perSequence, c.id());
    }
    assertEquals(8, x.batchSize(ExperimentCell.calm(1, "energy", org.calmworkbench.backend.model.InputMode.DISCRETE, 8, 1))
        .orElseThrow());
    assertEquals(32, x.batchSize(ExperimentCell.calm(4, "energy", org.calmworkbench.backend.model.InputMode.DISCRETE, 8, 1))
        .orElseThrow());
    assertTrue(parse(VALID).batchSize(x.cells().get(0)).isEmpty(), "absent: the preset's batch");

    CalmException notAMultiple = assertThrows(CalmException.class, () -> parse(VALID.replace("\"grid\"",
        "\"lm\": {\"context_tokens\": 32, \"positions_per_step\": 100}, \"grid\"")));
    assertTrue(notAMultiple.getMessage().contains("lm.positions_per_step") && notAMultiple.getMessage().contains("100"),
        notAMultiple.getMessage());
    CalmException noContext = assertThrows(CalmException.class, () -> parse(VALID.replace("\"grid\"",
        "\"lm\": {\"positions_per_step\": 256}, \"grid\"")));
    assertTrue(noContext.getMessage().contains("needs lm.context_tokens"), noContext.getMessage());
    CalmException twice = assertThrows(CalmException.class, () -> parse(VALID.replace("\"grid\"",
        "\"lm\": {\"context_tokens\": 32, \"positions_per_step\": 256, \"set\": {\"batch_size\": 4}}, \"grid\"")));
    assertTrue(twice.getMessage().contains("lm.set.batch_size"), twice.getMessage());
  }

  @Test
  void jobsIsHowNotWhatSoItStaysOutOfTheMeaning() {
    Experiment one = parse(VALID);
    Experiment two = parse(VALID.replace("\"name\": \"demo\"", "\"name\": \"demo\", \"jobs\": 2"));
    assertEquals(1, one.jobs());
    assertEquals(2, two.jobs());
    assertEquals(one.meaning(), two.meaning());
    CalmException bad = assertThrows(CalmException.class, () -> parse(VALID.replace("\"name\": \"demo\"",
        "\"name\": \"demo\", \"jobs\": 0")));
    assertTrue(bad.getMessage().contains("jobs"), bad.getMessage());
  }

  @Test
  void invalidJsonAndMissingFilesAreNamed() throws Exception {
    Files.writeString(file, "{\"corpus\": ");
    CalmException bad = assertThrows(CalmException.class, () -> Experiment.read(file));
    assertTrue(bad.getMessage().contains(file.toString()) && bad.getMessage().contains("JSON"), bad.getMessage());
    CalmException missing = assertThrows(CalmException.class, () -> Experiment.read(dir.resolve("nope.json")));
    assertTrue(missing.getMessage().contains("nope.json"), missing.getMessage());
  }

  @Test
  void theSampleExperimentsAreValid() throws Exception {
    Path samples = Path.of("..", "sample-projects", "experiments");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(samples), "skipped: " + samples + " not found");
    java.util.Map<String, Integer> cells = new java.util.TreeMap<>();
    try (var files = Files.list(samples)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
        Experiment x = Experiment.read(f);
        assertTrue(Files.isRegularFile(x.corpus().get(0)), f + ": " + x.corpus());
        cells.put(f.getFileName().toString(), x.cells().size());
      }
    }
    assertEquals(java.util.Map.of("heads.json", 6, "inputs.json", 6, "k-sweep-quick.json", 5, "k-sweep.json", 15), cells);
  }
}
