package org.calmworkbench.backend.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.calmworkbench.backend.train.Checkpoints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonFilesTest {
  static OptionalLong integer(String json) {
    return JsonFiles.integer(JsonParser.parseString(json));
  }

  @Test
  void integerTakesWholeNumbersInAnyFormAndRefusesTheRest() {
    assertEquals(OptionalLong.of(12), integer("12"));
    assertEquals(OptionalLong.of(12), integer("12.0"));
    assertEquals(OptionalLong.of(12), integer("1.2e1"));
    assertEquals(OptionalLong.of(-3), integer("-3"));
    assertEquals(OptionalLong.of(Long.MAX_VALUE), integer("9223372036854775807"));
    // Gson's getAsLong threw NumberFormatException on an exponent this large (found by Jazzer in metrics.jsonl)
    assertTrue(integer("824E93555").isEmpty());
    assertTrue(integer("9223372036854775808").isEmpty());
    assertTrue(integer("1e400").isEmpty());
    assertTrue(integer("2.5").isEmpty());
    assertTrue(integer("\"12\"").isEmpty());
    assertTrue(integer("null").isEmpty());
    assertTrue(JsonFiles.integer(null).isEmpty());
  }

  /** 824E93555 threw Gson's NumberFormatException here; getAsInt of 5e9 gave 705032704. */
  @Test
  void aCheckpointsContextChunksThatIsNoIntIsNotRecorded(@TempDir Path dir) throws IOException {
    for (String v : new String[] {"824E93555", "5e9", "3e9", "-1", "2.5"}) {
      Files.writeString(dir.resolve("config.json"), "{\"context_chunks\": " + v + "}");
      assertTrue(Checkpoints.contextChunks(dir).isEmpty(), v);
    }
    Files.writeString(dir.resolve("config.json"), "{\"context_chunks\": 16}");
    assertEquals(16, Checkpoints.contextChunks(dir).getAsInt());
  }
}
