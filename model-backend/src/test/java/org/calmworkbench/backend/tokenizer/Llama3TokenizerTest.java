package org.calmworkbench.backend.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.SharedFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Llama 3 tokenizer of the official CALM models (../shared/data/llama3-tokenizer) through the
 * workbench's loader: ids must equal those of an independent tiktoken-style encoder over the same
 * ranks (scripts/llama3-expected-ids.py wrote them to tokenizer/llama3-expected.json), on hard
 * strings and on every WikiText-103 test document.
 */
class Llama3TokenizerTest {
  static Tokenizer llama3;
  static JsonObject expected;

  @BeforeAll
  static void load() throws IOException {
    Path dir = SharedFixtures.sharedDir().resolve("data").resolve("llama3-tokenizer");
    Assumptions.assumeTrue(Files.isDirectory(dir), "skipped: " + dir + " not found");
    llama3 = Tokenizers.load(dir);
    try (InputStream in = Llama3TokenizerTest.class.getResourceAsStream("/tokenizer/llama3-expected.json")) {
      expected = JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
    }
  }

  @AfterAll
  static void close() {
    if (llama3 instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  @Test
  void loadsThroughHuggingFacesLibraryWithItsSpecialTokens() {
    assertInstanceOf(HfTokenizer.class, llama3); // the Split pre-tokenizer is not the built-in one's
    assertEquals(128_256, llama3.vocabSize());
    assertEquals(128_001, llama3.eosId(), "<|end_of_text|> is the end-of-text id");
    assertEquals("<|begin_of_text|>", llama3.token(128_000));
    assertEquals("<|end_of_text|>", llama3.token(128_001));
    assertEquals("<|reserved_special_token_250|>", llama3.token(128_255));
    assertEquals("Ġworld", llama3.token(1917));
  }

  @Test
  void hardStringsEncodeAsTheIndependentEncoder() {
    JsonArray cases = expected.getAsJsonArray("cases");
    assertTrue(cases.size() >= 10);
    for (JsonElement c : cases) {
      String text = c.getAsJsonObject().get("text").getAsString();
      int[] want = toInts(c.getAsJsonObject().getAsJsonArray("ids"));
      int[] ids = llama3.encode(text);
      assertArrayEquals(want, ids, text);
      assertEquals(text, llama3.decode(ids), "decode of " + text);
    }
  }

  @Test
  void knownIdsOfTheOfficialTokenizer() {
    // Published Llama 3 ids, independent of both encoders: "Hello" 9906, " world" 1917, "!" 0.
    assertArrayEquals(new int[] {9906, 1917, 0}, llama3.encode("Hello world!"));
  }

  @Test
  void digitsAreSplitIntoGroupsOfAtMostThree() {
    TokenizedText t = TokenizedText.encode(llama3, "1234567");
    assertEquals(List.of("123", "456", "7"), t.tokens());
  }

  @Test
  void runsOfSpacesKeepTheLastSpaceForTheNextWord() {
    TokenizedText t = TokenizedText.encode(llama3, "a    b");
    assertEquals(List.of("a", "ĠĠĠ", "Ġb"), t.tokens());
  }

  @Test
  void noBeginningOfTextIsAddedToEncodedText() {
    int[] ids = llama3.encode("Chunks never start with a BOS.");
    assertFalse(Arrays.stream(ids).anyMatch(id -> id >= 128_000), Arrays.toString(ids));
  }

  @Test
  void everyWikiTextDocumentEncodesAsTheIndependentEncoder() throws NoSuchAlgorithmException {
    List<String> docs = WikiTextDocs.all();
    JsonArray wiki = expected.getAsJsonArray("wikitext");
    assertEquals(wiki.size(), docs.size(), "the expected ids were made from the same WikiText file");
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    long total = 0;
    for (int d = 0; d < docs.size(); d++) {
      int[] ids = llama3.encode(docs.get(d));
      JsonObject want = wiki.get(d).getAsJsonObject();
      assertEquals(want.get("count").getAsInt(), ids.length, "id count of document " + d);
      String joined = Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(","));
      String digest = HexFormat.of().formatHex(sha.digest(joined.getBytes(StandardCharsets.US_ASCII)));
      assertEquals(want.get("sha256").getAsString(), digest, "ids of document " + d);
      total += ids.length;
    }
    assertTrue(total > 250_000, "all of WikiText's test set was compared: " + total + " ids");
  }

  @Test
  void idsOutsideTheVocabularyAreRefusedWithTheirPosition() {
    CalmException e = assertThrows(CalmException.class, () -> TokenizedText.of(llama3, new int[] {5, 128_256}));
    assertTrue(e.getMessage().contains("128256") && e.getMessage().contains("position 1"), e.getMessage());
  }

  private static int[] toInts(JsonArray array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).getAsInt();
    }
    return out;
  }
}
