package org.calmworkbench.app.cli;

import static org.calmworkbench.app.cli.CliAutoencoderTest.assertUserError;
import static org.calmworkbench.app.cli.CliAutoencoderTest.calm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.calmworkbench.app.cli.CliAutoencoderTest.Run;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code calm tokenizer encode/decode} on the Llama 3 tokenizer of ../shared and on bad input. */
class CliTokenizerTest {
  static Path llama3;

  @BeforeAll
  static void findLlama3() {
    String prop = System.getProperty("calm.shared.dir");
    llama3 = prop == null ? null : Path.of(prop, "data", "llama3-tokenizer");
    Assumptions.assumeTrue(llama3 != null && Files.isDirectory(llama3), "skipped: ../shared/data/llama3-tokenizer not found");
  }

  @Test
  void encodePrintsTheIdsAndTokensOfLlama3() {
    Run r = calm("tokenizer", "encode", "--tokenizer", llama3.toString(), "--text", "Hello world! 12345", "--json");
    assertEquals(0, r.code(), r.err());
    JsonObject o = r.json();
    assertEquals("[9906,1917,0,220,4513,1774]", o.get("ids").toString());
    JsonArray tokens = o.getAsJsonArray("tokens");
    assertEquals("Ġworld", tokens.get(1).getAsString());
    assertEquals("123", tokens.get(4).getAsString());
    assertEquals("45", tokens.get(5).getAsString());
    assertEquals(" world", o.getAsJsonArray("pieces").get(1).getAsString());
  }

  @Test
  void encodeShowsTheChunksOfKTokens() {
    Run r = calm("tokenizer", "encode", "--tokenizer", llama3.toString(), "--text", "Hello world! 12345", "--patch-size", "4");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("chunks: \"Hello world! \" | \"12345\""), r.out());
  }

  @Test
  void decodeGivesBackTheTextWithSpecialTokens() {
    Run r = calm("tokenizer", "decode", "--tokenizer", llama3.toString(), "--ids", "128000, 9906,1917,0,128001", "--json");
    assertEquals(0, r.code(), r.err());
    assertEquals("<|begin_of_text|>Hello world!<|end_of_text|>", r.json().get("text").getAsString());
    assertEquals("<|end_of_text|>", r.json().getAsJsonArray("tokens").get(4).getAsString());
  }

  @Test
  void anAutoencoderTrainsAndEncodesWithTheLlama3Tokenizer(@TempDir Path tmp) throws Exception {
    Path corpus = tmp.resolve("corpus.txt");
    Files.writeString(corpus, CliAutoencoderTest.sentences(400));
    Path out = tmp.resolve("ae");
    Run train = calm("ae", "train", "--corpus", corpus.toString(), "--tokenizer", llama3.toString(), "--preset", "tiny",
        "--steps", "2", "--set", "batch_size=8", "--out", out.toString(), "--json");
    assertEquals(0, train.code(), train.err());
    assertTrue(Files.readString(out.resolve("config.json")).contains("\"vocab_size\":128256"));
    Run encode = calm("ae", "encode", "--checkpoint", out.toString(), "--text", "the cat sees a red ball.", "--json");
    assertEquals(0, encode.code(), encode.err());
    String ids = encode.json().getAsJsonArray("chunks").get(0).getAsJsonObject().get("ids").toString();
    Run tokens = calm("tokenizer", "encode", "--tokenizer", out.toString(), "--text", "the cat sees a red ball.", "--json");
    String first4 = tokens.json().getAsJsonArray("ids").asList().subList(0, 4).toString().replace(" ", "");
    assertEquals(first4, ids, "the run's copy of the tokenizer gives the chunk's ids");
    assertFalse(ids.contains("128000"), "no BOS inside chunks: " + ids);
  }

  @Test
  void badIdsAreNamed() {
    assertUserError(calm("tokenizer", "decode", "--tokenizer", llama3.toString(), "--ids", "1,x,3"), "--ids", "item 2", "\"x\"");
    assertUserError(calm("tokenizer", "decode", "--tokenizer", llama3.toString(), "--ids", "1,200000"), "200000", "position 1");
  }

  @Test
  void aFolderWithoutATokenizerIsNamed(@TempDir Path tmp) {
    assertUserError(calm("tokenizer", "encode", "--tokenizer", tmp.toString(), "--text", "x"), tmp.toString(), "tokenizer.json");
  }
}
