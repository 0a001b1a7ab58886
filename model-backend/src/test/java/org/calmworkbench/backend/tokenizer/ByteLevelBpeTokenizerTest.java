package org.calmworkbench.backend.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.calmworkbench.backend.CalmException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ByteLevelBpeTokenizerTest {
  /** A small corpus in several scripts, so that merges also join bytes of multi-byte characters. */
  static final List<String> CORPUS =
      List.of(
          "The quick brown fox jumps over the lazy dog. The dog sleeps; the fox runs.",
          "Café, naïve, résumé, déjà vu: accents are common in French and Spanish (niño, año).",
          "日本語のテキストです。東京は日本の首都です。日本語を話します。",
          "Emoji: 👍🏽 👍🏽 🎉🎉 family 👨‍👩‍👧 and flags 🇫🇷 🇯🇵.",
          "Numbers 12345 and 2024-05-01, prices $3.50 and €4,20.",
          "Tabs\tand\nnewlines\r\n and  double  spaces.   Trailing   ");

  static ByteLevelBpeTokenizer tokenizer;

  @BeforeAll
  static void train() {
    List<String> docs = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      docs.addAll(CORPUS);
    }
    tokenizer = BpeTrainer.train(docs, 400);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "hello world",
        "The quick brown fox",
        "Café naïve résumé Ærøskøbing",
        "e\u0301 combining accent",
        "日本語のテキスト、中文，한국어",
        "👍🏽 family 👨‍👩‍👧 🇯🇵 \uD835\uDC00",
        "\u0000\u0001\u0007\t\r\n\u000B\u000C\u001B\u007F\u0085",
        "no-break\u00A0space, ideographic\u3000space, line\u2028separator",
        "   leading and trailing   ",
        "\n\n\n",
        "<|endoftext|>",
        "<|pad|> and <|endoftext|> inside text",
        "it's THEY'RE we'll I'd you've",
        "\uFEFFbyte order mark",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      })
  void decodeOfEncodeIsIdentity(String text) {
    int[] ids = tokenizer.encode(text);
    assertEquals(text, tokenizer.decode(ids));
    for (int id : ids) {
      assertTrue(id >= 2 && id < tokenizer.vocabSize(), "id " + id + " is a special or out of range");
    }
  }

  @Test
  void randomUnicodeStringsRoundTrip() {
    Random random = new Random(7);
    for (int n = 0; n < 500; n++) {
      StringBuilder text = new StringBuilder();
      int length = random.nextInt(40);
      while (text.length() < length) {
        int codePoint = random.nextInt(random.nextBoolean() ? 0x80 : Character.MAX_CODE_POINT + 1);
        if (Character.isDefined(codePoint) && Character.getType(codePoint) != Character.SURROGATE) {
          text.appendCodePoint(codePoint);
        }
      }
      String s = text.toString();
      assertEquals(s, tokenizer.decode(tokenizer.encode(s)), "round trip of random string #" + n);
    }
  }

  @Test
  void specialTokenTextIsEncodedAsOrdinaryBytes() {
    int[] ids = tokenizer.encode("<|endoftext|>");
    assertTrue(ids.length > 1, "split into ordinary tokens");
    for (int id : ids) {
      assertTrue(id != tokenizer.eosId() && id != tokenizer.padId());
    }
  }

  @Test
  void specialIdsDecodeToTheirText() {
    assertEquals(0, tokenizer.padId());
    assertEquals(1, tokenizer.eosId());
    int[] hello = tokenizer.encode("hello");
    int[] ids = new int[hello.length + 1];
    System.arraycopy(hello, 0, ids, 0, hello.length);
    ids[hello.length] = tokenizer.eosId();
    assertEquals("hello<|endoftext|>", tokenizer.decode(ids));
  }

  @Test
  void frequentWordsBecomeSingleTokens() {
    assertEquals(1, tokenizer.encode(" the").length);
    assertEquals(1, tokenizer.encode(" fox").length);
    assertTrue(tokenizer.encode(" zyzzyva").length > 3, "an unseen word falls back to small pieces");
  }

  @Test
  void encodingIsTheSameWithAndWithoutTheWordCache() {
    String text = String.join(" ", CORPUS);
    int[] first = tokenizer.encode(text); // fills the cache
    ByteLevelBpeTokenizer fresh =
        new ByteLevelBpeTokenizer(tokenizer.tokens(), tokenizer.merges(), tokenizer.specialIds(), false);
    assertArrayEquals(first, fresh.encode(text));
    assertArrayEquals(first, tokenizer.encode(text));
  }

  @Test
  void longWordWithoutSpacesEncodesAndRoundTrips() {
    String word = "日本語".repeat(20_000) + "a".repeat(50_000); // two very long pre-token words
    int[] ids = tokenizer.encode(word);
    assertEquals(word, tokenizer.decode(ids));
    assertTrue(ids.length < word.getBytes(StandardCharsets.UTF_8).length, "merges applied");
  }

  @Test
  void tokenBytesConcatenateToTheText() {
    String text = "Café 日本";
    byte[] expected = text.getBytes(StandardCharsets.UTF_8);
    int at = 0;
    for (int id : tokenizer.encode(text)) {
      byte[] piece = tokenizer.tokenBytes(id);
      for (byte b : piece) {
        assertEquals(expected[at++], b);
      }
    }
    assertEquals(expected.length, at);
  }

  @Test
  void decodingAnUnknownIdNamesIdAndPosition() {
    CalmException e =
        assertThrows(CalmException.class, () -> tokenizer.decode(new int[] {5, 99999}));
    assertTrue(e.getMessage().contains("99999") && e.getMessage().contains("position 1"), e.getMessage());
  }

  @Test
  void ignoreMergesEncodesAWholeVocabularyWordAsOneToken() {
    // The vocabulary holds " zqx" but no merge builds it: only ignore_merges finds it.
    List<String> tokens = new ArrayList<>(tokenizer.tokens());
    tokens.add("Ġzqx");
    ByteLevelBpeTokenizer plain = new ByteLevelBpeTokenizer(tokens, tokenizer.merges(), tokenizer.specialIds(), false);
    ByteLevelBpeTokenizer ignoring = new ByteLevelBpeTokenizer(tokens, tokenizer.merges(), tokenizer.specialIds(), true);
    assertTrue(plain.encode(" zqx").length > 1);
    assertArrayEquals(new int[] {tokens.size() - 1}, ignoring.encode(" zqx"));
  }

  @Test
  void rejectsVocabularyWithoutAllBytes() {
    List<String> tokens = new ArrayList<>(tokenizer.tokens());
    tokens.set(2 + 'q', "not-q");
    CalmException e =
        assertThrows(
            CalmException.class,
            () -> new ByteLevelBpeTokenizer(tokens, List.of(), tokenizer.specialIds(), false));
    assertTrue(e.getMessage().contains("0x71"), e.getMessage());
  }

  @Test
  void rejectsMergeOfUnknownToken() {
    List<ByteLevelBpeTokenizer.Merge> merges = new ArrayList<>(tokenizer.merges());
    merges.add(new ByteLevelBpeTokenizer.Merge("a", "zzz"));
    CalmException e =
        assertThrows(
            CalmException.class,
            () -> new ByteLevelBpeTokenizer(tokenizer.tokens(), merges, tokenizer.specialIds(), false));
    assertTrue(e.getMessage().contains("merge " + (merges.size() - 1)) && e.getMessage().contains("'zzz'"),
        e.getMessage());
  }
}
