package org.calmworkbench.backend.project;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.calmworkbench.backend.CalmException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ProjectTest {

  @TempDir Path dir;

  private Project sample() {
    JsonObject tokenizer = new JsonObject();
    tokenizer.addProperty("vocab_size", 1024);
    JsonObject ae = new JsonObject();
    ae.addProperty("preset", "laptop");
    Map<String, JsonObject> presets = new LinkedHashMap<>();
    presets.put("tokenizer", tokenizer);
    presets.put("autoencoder", ae);
    return new Project(dir, "demo", "a test project", 7, List.of("corpus/train.jsonl", "../shared/wiki"), 0.1, presets);
  }

  private Path write(String json) throws IOException {
    Path file = dir.resolve(Project.FILE_NAME);
    Files.writeString(file, json);
    return file;
  }

  @Test
  void saveThenLoadGivesTheSameProject() throws IOException {
    Project p = sample();
    p.save();
    Project loaded = Project.load(dir);
    assertEquals(p, loaded);
    assertEquals(1024, loaded.preset("tokenizer").get("vocab_size").getAsInt());
    assertEquals("laptop", loaded.preset("autoencoder").get("preset").getAsString());
    assertEquals(List.of("autoencoder", "tokenizer"), loaded.presets().keySet().stream().sorted().toList());
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(Project.FILE_NAME), files.map(f -> f.getFileName().toString()).toList());
    }
  }

  @Test
  void loadsFromTheFileAsWellAsTheFolder() throws IOException {
    sample().save();
    assertEquals(Project.load(dir), Project.load(dir.resolve(Project.FILE_NAME)));
  }

  @Test
  void corpusPathsResolveAgainstTheProjectFolder() {
    Path absolute = dir.resolve("elsewhere/books").toAbsolutePath();
    Project p = Project.of(dir, "demo", List.of("corpus/train.jsonl", "../shared/wiki", absolute.toString()));
    assertEquals(
        List.of(dir.toAbsolutePath().resolve("corpus/train.jsonl"), dir.toAbsolutePath().getParent().resolve("shared/wiki"),
            absolute),
        p.corpusPaths());
  }

  @Test
  void minimalFileGetsDefaults() throws IOException {
    Project p = Project.load(write("{\"name\": \"min\", \"corpus\": \"data.txt\"}"));
    assertEquals(Project.DEFAULT_SEED, p.seed());
    assertEquals("", p.description());
    assertEquals(List.of("data.txt"), p.corpus());
    assertEquals(0.1, p.validationFraction(), "90/10 by default");
    assertEquals(0, p.preset("tokenizer").size());
  }

  @Test
  void presetsReturnedAreCopies() {
    Project p = sample();
    p.preset("tokenizer").addProperty("vocab_size", 5);
    p.presets().get("tokenizer").addProperty("vocab_size", 6);
    assertEquals(1024, p.preset("tokenizer").get("vocab_size").getAsInt());
  }

  @Test
  void fileIsPrettyJsonWithAFinalNewline() {
    String json = sample().toJson();
    assertTrue(json.startsWith("{\n  \"format\": 1,\n  \"name\": \"demo\""), json);
    assertTrue(json.endsWith("}\n"), json);
  }

  static Stream<Arguments> malformedFiles() {
    return Stream.of(
        Arguments.of("{\"corpus\": [\"a\"]}", "'name' is missing"),
        Arguments.of("{\"name\": \"\", \"corpus\": [\"a\"]}", "'name' must not be empty"),
        Arguments.of("{\"name\": 3, \"corpus\": [\"a\"]}", "'name' must be a string"),
        Arguments.of("{\"name\": \"x\"}", "'corpus' is missing"),
        Arguments.of("{\"name\": \"x\", \"corpus\": []}", "'corpus' must list at least one"),
        Arguments.of("{\"name\": \"x\", \"corpus\": {\"a\": 1}}", "'corpus' must be a list of paths"),
        Arguments.of("{\"name\": \"x\", \"corpus\": [\"a\", 5]}", "'corpus[1]' must be a string"),
        Arguments.of("{\"name\": \"x\", \"corpus\": [\"a\"], \"seed\": \"abc\"}", "'seed' must be an integer, got \"abc\""),
        Arguments.of("{\"name\": \"x\", \"corpus\": [\"a\"], \"seed\": 1.5}", "'seed' must be an integer, got 1.5"),
        Arguments.of("{\"name\": \"x\", \"corpus\": [\"a\"], \"sed\": 1}", "'sed' is not a project field; valid fields: format, name"),
        Arguments.of("{\"name\": \"x\", \"corpus\": [\"a\"], \"validation_fraction\": 1.5}", "'validation_fraction' must be between 0 and 1"),
        Arguments.of("{\"name\": \"x\", \"corpus\": [\"a\"], \"validation_fraction\": \"a\"}", "'validation_fraction' must be a number"),
        Arguments.of("{\"name\": \"x\", \"corpus\": [\"a\"], \"presets\": []}", "'presets' must be an object"),
        Arguments.of("{\"name\": \"x\", \"corpus\": [\"a\"], \"presets\": {\"tokenizer\": 1024}}", "'presets.tokenizer' must be an object"),
        Arguments.of("{\"name\": \"x\", \"corpus\": [\"a\"], \"format\": 2}", "'format' is 2, but this version of CALM Workbench reads format 1"),
        Arguments.of("{\"name\": \"x\", \"corpus\": [\"a\"],}", "not valid JSON"),
        Arguments.of("{\"name\": \"x\", \"corpus\": [\"a\"]", "not valid JSON"),
        Arguments.of("{\"name\": \"x\", \"corpus\": [\"a\"]} {}", "unexpected text after the JSON object"),
        Arguments.of("[1, 2]", "must hold one JSON object"),
        Arguments.of("", "not valid JSON"));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("malformedFiles")
  void malformedFileErrorNamesTheFileAndTheField(String json, String expected) throws IOException {
    Path file = write(json);
    CalmException e = assertThrows(CalmException.class, () -> Project.load(file));
    assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void missingFileSaysWhereItLookedAndHowToMakeOne() {
    CalmException e = assertThrows(CalmException.class, () -> Project.load(dir));
    assertTrue(e.getMessage().contains(dir.resolve(Project.FILE_NAME).toString()), e.getMessage());
    assertTrue(e.getMessage().contains("calm sample generate"), e.getMessage());
  }

  @Test
  void constructorRejectsBadValues() {
    assertThrows(CalmException.class, () -> Project.of(dir, " ", List.of("a")));
    assertThrows(CalmException.class, () -> Project.of(dir, "x", List.of()));
    assertThrows(CalmException.class, () -> new Project(dir, "x", "", 1, List.of("a"), 0.0, Map.of()));
  }

  @Test
  void withersChangeOneFieldAndKeepTheRest() {
    Project p = sample();
    Project q = p.withSeed(9).withDescription("changed");
    assertEquals(9, q.seed());
    assertEquals("changed", q.description());
    assertEquals(p.corpus(), q.corpus());
    assertEquals(p.presets(), q.presets());
    assertEquals(7, p.seed());
  }
}
