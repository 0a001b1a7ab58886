package org.calmworkbench.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.calmworkbench.app.gui.bench.GuiResponsivenessAccess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code calm bench memory} and {@code calm bench gui}: the command wiring, the JSON shape and the
 * bad-input messages (the figures themselves are measured by running the commands, not here).
 */
class CliBenchTest {
  static CliAutoencoderTest.Run calm(String... args) {
    return CliAutoencoderTest.calm(args);
  }

  @Test
  void memoryBenchSamplesOnScheduleAndReportsGrowth() {
    CliAutoencoderTest.Run r = calm("--json", "bench", "memory", "--steps", "12", "--sample-every", "4", "--warmup", "4",
        "--vocab-size", "64");
    assertEquals(0, r.code(), r.err());
    JsonObject j = r.json();
    JsonArray samples = j.getAsJsonArray("samples");
    assertEquals(3, samples.size(), samples.toString());
    for (int i = 0; i < 3; i++) {
      JsonObject s = samples.get(i).getAsJsonObject();
      assertEquals(4L * (i + 1), s.get("step").getAsLong());
      assertTrue(s.get("heap_used_bytes").getAsLong() > 0);
      assertTrue(s.get("heap_committed_bytes").getAsLong() >= s.get("heap_used_bytes").getAsLong());
      // the model's parameters and optimizer state are alive while it trains
      assertTrue(s.get("live_ndarrays").getAsInt() > 0, s.toString());
    }
    // nothing leaks per step: the same arrays are alive at every sample
    assertEquals(samples.get(0).getAsJsonObject().get("live_ndarrays").getAsInt(),
        samples.get(2).getAsJsonObject().get("live_ndarrays").getAsInt());
    assertEquals(4, j.get("warmup_step").getAsLong());
    long base = samples.get(0).getAsJsonObject().get("heap_used_bytes").getAsLong();
    long last = samples.get(2).getAsJsonObject().get("heap_used_bytes").getAsLong();
    assertEquals(100.0 * (last - base) / base, j.get("heap_growth_percent").getAsDouble(), 1e-9);
    if (Files.isReadable(Path.of("/proc/self/status"))) {
      assertTrue(samples.get(0).getAsJsonObject().get("rss_bytes").getAsLong() > 0);
      assertFalse(j.get("rss_growth_percent").isJsonNull());
      // the part outside the Java heap: RSS minus the committed heap, and its growth
      JsonObject first = samples.get(0).getAsJsonObject();
      assertEquals(Math.max(0, first.get("rss_bytes").getAsLong() - first.get("heap_committed_bytes").getAsLong()),
          first.get("native_bytes").getAsLong());
      assertFalse(j.get("native_growth_percent").isJsonNull());
    }
    assertTrue(j.has("heap_pinned") && j.has("malloc_trim"), j.toString());
  }

  @Test
  void memoryBenchRefusesSchedulesWithoutASampleAfterWarmup() {
    CliAutoencoderTest.Run r = calm("bench", "memory", "--steps", "100", "--warmup", "100");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--warmup"), r.err());
    r = calm("bench", "memory", "--steps", "100", "--warmup", "50", "--sample-every", "60");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--sample-every 60"), r.err());
    r = calm("bench", "memory", "--model", "gpt", "--steps", "10", "--warmup", "0", "--sample-every", "5");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("unknown model 'gpt'"), r.err());
  }

  @Test
  void guiBenchRefusesBadSeconds() {
    CliAutoencoderTest.Run r = calm("bench", "gui", "--seconds", "0");
    assertEquals(2, r.code());
    // without a display the display message comes first; with one, the --seconds message
    assertTrue(r.err().contains("--seconds") || r.err().contains("display"), r.err());
  }

  @Test
  void guiBenchCopiesAProjectWithoutItsRuns(@TempDir Path tmp) throws Exception {
    Path p = tmp.resolve("p");
    Files.createDirectories(p.resolve("corpus"));
    Files.createDirectories(p.resolve("runs/ae-1"));
    Files.writeString(p.resolve("project.json"), "{}");
    Files.writeString(p.resolve("corpus/train.jsonl"), "{\"text\":\"a\"}\n");
    Files.writeString(p.resolve("runs/ae-1/model.safetensors"), "x");
    Path copy = GuiResponsivenessAccess.copyProject(p, tmp.resolve("copy"));
    assertTrue(Files.isRegularFile(copy.resolve("project.json")));
    assertEquals("{\"text\":\"a\"}\n", Files.readString(copy.resolve("corpus/train.jsonl")));
    assertFalse(Files.exists(copy.resolve("runs")));
    assertTrue(calm("bench", "gui", "--project", tmp.resolve("nothing").toString()).err().contains("error:"));
  }
}
