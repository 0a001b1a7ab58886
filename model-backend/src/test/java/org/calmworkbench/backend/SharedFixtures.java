package org.calmworkbench.backend;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates {@code ../shared} (parity vectors, WikiText) for tests. When it is absent, the calling
 * test is skipped with a message saying so, never passed silently.
 */
public final class SharedFixtures {
  private SharedFixtures() {}

  public static Path sharedDir() {
    String prop = System.getProperty("calm.shared.dir");
    Path dir = prop == null ? Path.of("..", "shared") : Path.of(prop);
    Assumptions.assumeTrue(
        Files.isDirectory(dir.resolve("reference")),
        "skipped: ../shared not found at " + dir.toAbsolutePath() + " (parity vectors and WikiText live there)");
    return dir;
  }

  public static Path reference(String name) {
    return sharedDir().resolve("reference").resolve(name);
  }

  public static Path wikitext() {
    return sharedDir().resolve("data").resolve("wikitext103-test.jsonl");
  }

  public static JsonObject readJson(Path file) {
    try {
      return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file, e);
    }
  }
}
