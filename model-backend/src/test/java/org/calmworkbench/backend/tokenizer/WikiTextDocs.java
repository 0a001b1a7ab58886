package org.calmworkbench.backend.tokenizer;

import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.calmworkbench.backend.SharedFixtures;
import org.junit.jupiter.api.Assumptions;

/** The WikiText-103 test documents from ../shared; skips the calling test when absent. */
final class WikiTextDocs {
  private WikiTextDocs() {}

  private static List<String> documents;

  static synchronized List<String> all() {
    if (documents == null) {
      Path file = SharedFixtures.wikitext();
      Assumptions.assumeTrue(Files.isRegularFile(file), "skipped: " + file + " not found");
      List<String> docs = new ArrayList<>();
      try {
        for (String line : Files.readAllLines(file)) {
          if (!line.isBlank()) {
            docs.add(JsonParser.parseString(line).getAsJsonObject().get("text").getAsString());
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      documents = List.copyOf(docs);
    }
    return documents;
  }
}
