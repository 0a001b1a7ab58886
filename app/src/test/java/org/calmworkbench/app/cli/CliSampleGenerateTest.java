package org.calmworkbench.app.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.calmworkbench.backend.project.Project;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliSampleGenerateTest {
  @TempDir Path dir;

  private record Run(int code, String out, String err) {}

  private static Run calm(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = CalmCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void writesALoadableProjectWithItsCorpus() throws Exception {
    Path folder = dir.resolve("tiny");
    Run r = calm("sample", "generate", "--out", folder.toString(), "--sentences", "300", "--seed", "5", "--json");
    assertEquals(0, r.code(), r.err());
    JsonObject result = JsonParser.parseString(r.out()).getAsJsonObject();
    assertEquals(300, result.get("sentences").getAsInt());

    Project p = Project.load(folder);
    assertEquals("tiny", p.name());
    assertEquals(5, p.seed());
    assertEquals(1024, p.preset("tokenizer").get("vocab_size").getAsInt());
    assertEquals("laptop", p.preset("autoencoder").get("preset").getAsString());
    assertEquals(List.of(folder.resolve("corpus/train.jsonl").toAbsolutePath()), p.corpusPaths());
    List<String> lines = Files.readAllLines(p.corpusPaths().get(0));
    assertEquals(result.get("documents").getAsInt(), lines.size());
    for (String line : lines) {
      assertTrue(JsonParser.parseString(line).getAsJsonObject().get("text").getAsString().length() > 10);
    }
  }

  @Test
  void sameSeedWritesTheSameBytesAndExistingFilesNeedForce() throws Exception {
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    assertEquals(0, calm("sample", "generate", "--out", a.toString(), "--sentences", "200").code());
    assertEquals(0, calm("sample", "generate", "--out", b.toString(), "--sentences", "200").code());
    assertArrayEquals(Files.readAllBytes(a.resolve("corpus/train.jsonl")), Files.readAllBytes(b.resolve("corpus/train.jsonl")));

    Run again = calm("sample", "generate", "--out", a.toString(), "--sentences", "200", "--seed", "6");
    assertEquals(2, again.code());
    assertTrue(again.err().startsWith("error: ") && again.err().contains("pass --force"), again.err());
    assertEquals(1, again.err().lines().count());

    assertEquals(0, calm("sample", "generate", "--out", a.toString(), "--sentences", "200", "--seed", "6", "--force").code());
    assertEquals(6, Project.load(a).seed());
  }

  @Test
  void rejectsANonPositiveSentenceCount() {
    Run r = calm("sample", "generate", "--out", dir.toString(), "--sentences", "0");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--sentences must be between 1 and 10000000, got 0"), r.err());
  }
}
