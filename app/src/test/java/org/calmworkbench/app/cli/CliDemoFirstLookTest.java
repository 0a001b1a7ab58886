package org.calmworkbench.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.calmworkbench.backend.io.AtomicFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's step 0: a project that ships trained runs shows what they write before anything trains. */
class CliDemoFirstLookTest {
  static final Path SAMPLE = Path.of("..", "sample-projects", "grammar-english").toAbsolutePath().normalize();

  @TempDir Path dir;

  private static CliAutoencoderTest.Run calm(String... args) {
    return CliAutoencoderTest.calm(args);
  }

  /** The sample project (project.json, corpus, and the runs given) copied to {@code to}. */
  private static Path copySample(Path to, String... runs) throws IOException {
    Files.createDirectories(to.resolve("corpus"));
    Files.copy(SAMPLE.resolve("project.json"), to.resolve("project.json"));
    Files.copy(SAMPLE.resolve("corpus/train.jsonl"), to.resolve("corpus/train.jsonl"));
    for (String run : runs) {
      AtomicFiles.copyTree(SAMPLE.resolve("runs").resolve(run), to.resolve("runs").resolve(run), rel -> false);
    }
    return to;
  }

  @Test
  void theBundledRunsWriteReadableTextBeforeAnythingTrains() throws Exception {
    Path project = copySample(dir.resolve("p"), "sample-calm", "sample-ar");
    CliAutoencoderTest.Run r = calm("demo", "--project", project.toString(), "--ae-seconds", "1", "--lm-seconds", "0", "--json");
    assertEquals(0, r.code(), r.err());
    JsonObject result = r.json();
    JsonArray looks = result.getAsJsonArray("first_look");
    assertEquals(2, looks.size(), r.out());
    for (int i = 0; i < 2; i++) {
      JsonObject look = looks.get(i).getAsJsonObject();
      String text = look.get("text").getAsString();
      assertTrue(text.startsWith("Once upon a time") && text.length() > "Once upon a time".length() + 4, text);
      assertTrue(look.get("steps").getAsInt() > 0);
      // the run's own corpus is found through its split.json, relative to the copied run
      double known = look.get("known_word_fraction").getAsDouble();
      assertTrue(known >= 0.75, look.get("model").getAsString() + " wrote mostly unknown words: " + text);
    }
    assertTrue(looks.get(0).getAsJsonObject().get("model").getAsString().startsWith("CALM (K=4)"));
    assertEquals("AR baseline", looks.get(1).getAsJsonObject().get("model").getAsString());
  }

  @Test
  void aProjectWithoutTrainedRunsSkipsTheFirstLook() throws Exception {
    Path project = copySample(dir.resolve("bare"));
    CliAutoencoderTest.Run r = calm("demo", "--project", project.toString(), "--ae-seconds", "1", "--lm-seconds", "0", "--json");
    assertEquals(0, r.code(), r.err());
    JsonObject result = r.json();
    assertFalse(result.has("first_look"), r.out());
    assertTrue(result.has("reconstruction"));
  }
}
