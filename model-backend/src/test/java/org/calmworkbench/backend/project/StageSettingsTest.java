package org.calmworkbench.backend.project;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.train.AePresets;
import org.calmworkbench.backend.workflow.AeTraining;
import org.calmworkbench.backend.workflow.LmTraining;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings resolution, most specific wins: built-in preset, then project.json, then the command line. */
class StageSettingsTest {
  @TempDir Path dir;

  private Project project(String presets) {
    return Project.parse("""
        {"name": "p", "seed": 7, "corpus": ["c.txt"], "validation_fraction": 0.25, "presets": %s}
        """.formatted(presets), dir.resolve(Project.FILE_NAME));
  }

  private static StageSettings ae(Project p, String cliPreset, List<String> cliSets) {
    return StageSettings.builtIn(AePresets.DEFAULT)
        .withProject(p, "autoencoder", AeTraining.settableKeys(), Set.of())
        .withCommandLine(cliPreset, cliSets);
  }

  @Test
  void withoutProjectOrCommandLineTheBuiltInPresetStands() {
    StageSettings s = ae(null, null, List.of());
    assertEquals(AePresets.DEFAULT, s.preset());
    assertEquals(List.of(), s.sets());
    StageSettings base = StageSettings.builtIn("laptop");
    assertSame(base, base.withProject(null, "autoencoder", AeTraining.settableKeys(), Set.of()));
  }

  @Test
  void theProjectsPresetBeatsTheBuiltInAndTheCommandLineBeatsTheProject() {
    Project p = project("{\"autoencoder\": {\"preset\": \"tiny\", \"lr\": 0.002, \"steps\": 40}}");
    StageSettings fromProject = ae(p, null, List.of());
    assertEquals("tiny", fromProject.preset());
    Map<String, Number> v = fromProject.values(AeTraining.settableKeys());
    assertEquals(0.002, v.get("lr").doubleValue());
    assertEquals(40L, v.get("steps").longValue());

    StageSettings fromCli = ae(p, "paper", List.of("lr=0.0005"));
    assertEquals("paper", fromCli.preset());
    Map<String, Number> w = fromCli.values(AeTraining.settableKeys());
    assertEquals(0.0005, w.get("lr").doubleValue(), "--set wins over presets.autoencoder.lr");
    assertEquals(40L, w.get("steps").longValue(), "what the command line leaves alone stays the project's");
  }

  @Test
  void theProjectsSeedAndValidationFractionBecomeTheSplitAndTheRunSeed() {
    Map<String, Number> v = ae(project("{}"), null, List.of()).values(AeTraining.settableKeys());
    assertEquals(0.25, v.get("validation_fraction").doubleValue());
    assertEquals(7L, v.get("split_seed").longValue());
    assertEquals(7L, v.get("seed").longValue());
    // presets.STAGE is more specific than the project-wide fields, the command line more than both
    Map<String, Number> w = ae(project("{\"autoencoder\": {\"validation_fraction\": 0.4}}"), null, List.of("split_seed=3"))
        .values(AeTraining.settableKeys());
    assertEquals(0.4, w.get("validation_fraction").doubleValue());
    assertEquals(3L, w.get("split_seed").longValue());
    assertEquals(7L, w.get("seed").longValue());
  }

  @Test
  void choicesAreLayeredTheSameWay() {
    Project p = project("{\"lm\": {\"input_mode\": \"latent\", \"head\": \"flow\"}}");
    StageSettings fromProject = StageSettings.builtIn("laptop")
        .withProject(p, "lm", LmTraining.settableKeys(), Set.of("input_mode", "head"));
    assertEquals("latent", fromProject.choice("input_mode", "discrete"));
    StageSettings fromCli = fromProject.withChoice("input_mode", "both").withChoice("head", null);
    assertEquals("both", fromCli.choice("input_mode", "discrete"));
    assertEquals("flow", fromCli.choice("head", "energy"), "a choice not given keeps the project's");
    assertEquals("discrete", StageSettings.builtIn("laptop").choice("input_mode", "discrete"));
  }

  @Test
  void anUnknownOrBadProjectSettingNamesTheFileAndTheField() {
    CalmException unknown = assertThrows(CalmException.class, () -> ae(project("{\"autoencoder\": {\"latent_sise\": 8}}"), null, List.of()));
    assertTrue(unknown.getMessage().startsWith(dir.resolve(Project.FILE_NAME).toAbsolutePath()
        + ": 'presets.autoencoder.latent_sise' is not a setting of the autoencoder stage; valid keys: preset, "), unknown.getMessage());
    CalmException bad = assertThrows(CalmException.class, () -> ae(project("{\"autoencoder\": {\"steps\": \"many\"}}"), null, List.of()));
    assertTrue(bad.getMessage().contains("'presets.autoencoder.steps'") && bad.getMessage().contains("many"), bad.getMessage());
    CalmException nested = assertThrows(CalmException.class, () -> ae(project("{\"autoencoder\": {\"lr\": [1]}}"), null, List.of()));
    assertTrue(nested.getMessage().contains("'presets.autoencoder.lr' must be a number or a string"), nested.getMessage());
  }

  @Test
  void vocabularyComesFromTheCommandLineElseTheProjectElseTheDefault() {
    Project p = project("{\"tokenizer\": {\"vocab_size\": 300}}");
    assertEquals(300, AeTraining.vocabSize(p, null));
    assertEquals(280, AeTraining.vocabSize(p, 280));
    assertEquals(AeTraining.DEFAULT_VOCAB_SIZE, AeTraining.vocabSize(null, null));
    assertEquals(AeTraining.DEFAULT_VOCAB_SIZE, AeTraining.vocabSize(project("{}"), null));
    assertThrows(CalmException.class, () -> AeTraining.vocabSize(project("{\"tokenizer\": {\"vocab_size\": 5}}"), null));
  }

  @Test
  void newRunFoldersAreNamedByKindAndTimeAndNeverReused() throws Exception {
    Project p = project("{}");
    Path first = p.newRunFolder("ae");
    assertEquals(dir.resolve(Project.RUNS).toAbsolutePath(), first.getParent());
    assertTrue(first.getFileName().toString().matches("ae-\\d{8}-\\d{6}"), first.toString());
    assertFalse(Files.exists(first), "the run's folder is left to the run");
    Files.createDirectories(first);
    Path second = p.newRunFolder("ae");
    assertNotEquals(first, second);
    assertFalse(Files.exists(second));
  }
}
