package org.calmworkbench.backend.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.calmworkbench.backend.CalmException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in tokenizer against Hugging Face's own library (through DJL) on the same
 * tokenizer.json: ids must agree exactly.
 */
class HfParityTest {
  @TempDir static Path dir;

  static ByteLevelBpeTokenizer java;
  static HfTokenizer hf;

  @BeforeAll
  static void trainAndLoadBoth() {
    java = BpeTrainer.train(BpeTrainerTest.syntheticCorpus(1, 200), 700);
    hf = HfTokenizer.load(Tokenizers.save(java, dir));
  }

  @AfterAll
  static void close() {
    if (hf != null) {
      hf.close();
    }
  }

  @Test
  void wikiTextIdsEqualHuggingFaceIds() throws IOException {
    List<String> docs = WikiTextDocs.all();
    ByteLevelBpeTokenizer wiki = BpeTrainer.train(docs.subList(0, docs.size() / 2), 1024);
    Path file = Tokenizers.save(wiki, dir.resolve("wiki"));
    try (HfTokenizer reference = HfTokenizer.load(file)) {
      assertEquals(wiki.vocabSize(), reference.vocabSize());
      assertEquals(wiki.eosId(), reference.eosId());
      for (int d = 0; d < docs.size(); d++) {
        int[] ids = wiki.encode(docs.get(d));
        assertArrayEquals(reference.encode(docs.get(d)), ids, "document " + d);
        assertEquals(docs.get(d), reference.decode(ids), "decode of document " + d);
      }
    }
  }

  @Test
  void hardStringsEncodeAsInHuggingFace() {
    List<String> cases =
        List.of(
            "",
            "Café naïve e\u0301",
            "日本語のテキスト",
            "👍🏽 👨‍👩‍👧 🇯🇵 \uD835\uDC00",
            "\u0000\u0001\t\r\n\u000B\u007F\u0085\u001C",
            "a\u00A0b\u3000c\u2028d\u2009e",
            "  \n\t  x  ",
            "it's THEY'RE we'll 'S",
            "٣ ½ Ⅻ ²",
            "@-@ $3.50 — “quotes”");
    for (String text : cases) {
      assertArrayEquals(hf.encode(text), java.encode(text), text);
      assertEquals(text, hf.decode(java.encode(text)));
    }
  }

  @Test
  void randomMixedScriptStringsEncodeAsInHuggingFace() {
    String[] pieces = {
      "a", "Z", "é", "e\u0301", "'", "'s", "'ll", " ", "  ", "\t", "\n", "\r\n", "\u00A0", "\u2009",
      "\u3000", "\u0085", "\u001C", "\u200B", "0", "7", "٣", "½", ".", ",!?", "—", "\"", "日", "語",
      "한", "👍", "🏽", "\uD835\uDC00", "\u0000", "\u007F", "\uFEFF", "ǅ", "ʰ", "々", "_", "ि"
    };
    Random random = new Random(3);
    for (int n = 0; n < 3000; n++) {
      StringBuilder text = new StringBuilder();
      for (int k = random.nextInt(12); k > 0; k--) {
        text.append(pieces[random.nextInt(pieces.length)]);
      }
      String s = text.toString();
      assertArrayEquals(hf.encode(s), java.encode(s), "string #" + n);
    }
  }

  @Test
  void huggingFaceMatchesSpecialTokenTextButTheBuiltInTokenizerDoesNot() {
    assertArrayEquals(new int[] {1}, hf.encode("<|endoftext|>"));
    assertTrue(java.encode("<|endoftext|>").length > 1);
    assertEquals("x<|endoftext|>", hf.decode(new int[] {2 + 'x', 1}));
    assertEquals("x<|endoftext|>", java.decode(new int[] {2 + 'x', 1}));
  }

  @Test
  void factoryFallsBackToHuggingFaceForFilesWithANormalizer() throws IOException {
    Path file = dir.resolve("tokenizer.json");
    JsonObject root = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    JsonObject lowercase = new JsonObject();
    lowercase.addProperty("type", "Lowercase");
    root.add("normalizer", lowercase);
    Path lower = dir.resolve("lower").resolve("tokenizer.json");
    Files.createDirectories(lower.getParent());
    Files.writeString(lower, root.toString());

    Tokenizer loaded = Tokenizers.load(lower.getParent());
    try {
      assertInstanceOf(HfTokenizer.class, loaded);
      assertArrayEquals(java.encode("hello lorem"), loaded.encode("HeLLo LOREM"));
      assertEquals(java.vocabSize(), loaded.vocabSize());
      assertEquals(1, loaded.eosId());
    } finally {
      ((HfTokenizer) loaded).close();
    }
  }

  @Test
  void invalidTokenizerErrorNamesTheFile() throws IOException {
    Path file = dir.resolve("wordpiece.json");
    Files.writeString(file, "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"a\": 0}, \"oops\": 1}}");
    CalmException e = assertThrows(CalmException.class, () -> Tokenizers.load(file));
    assertTrue(e.getMessage().contains("wordpiece.json"), e.getMessage());
  }
}
