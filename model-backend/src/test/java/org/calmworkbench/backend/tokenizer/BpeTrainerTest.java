package org.calmworkbench.backend.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.tokenizer.ByteLevelBpeTokenizer.Merge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BpeTrainerTest {

  private static int id(char c) {
    return 2 + c; // ids of byte tokens for ASCII
  }

  @Test
  void learnsMostFrequentPairsFirstAndBreaksTiesBySmallerIds() {
    // "aaabdaaabac": aa (4) first; then ab and Za tie at 2 -> ab (smaller left id 'a');
    // then (aa, ab) at 2; then all pairs have 1 -> ac (smallest left id among a, d, aaab).
    ByteLevelBpeTokenizer t = BpeTrainer.train(List.of("aaabdaaabac"), BpeTrainer.MIN_VOCAB_SIZE + 4);
    assertEquals(
        List.of(new Merge("a", "a"), new Merge("a", "b"), new Merge("aa", "ab"), new Merge("a", "c")),
        t.merges());
    assertEquals(List.of("aa", "ab", "aaab", "ac"), t.tokens().subList(258, 262));
    assertArrayEquals(new int[] {260, id('d'), 260, 261}, t.encode("aaabdaaabac"));
  }

  @Test
  void reservesPadAndEndOfTextThenTheBytes() {
    ByteLevelBpeTokenizer t = BpeTrainer.train(List.of("hello hello"), 300);
    assertEquals("<|pad|>", t.token(0));
    assertEquals("<|endoftext|>", t.token(1));
    assertEquals(1, t.eosId());
    assertEquals(0, t.padId());
    assertEquals(List.of(0, 1), List.copyOf(t.specialIds()));
    assertEquals("Ġ", t.token(2 + ' '));
    assertEquals("\u0100", t.token(2)); // byte 0x00
  }

  @ParameterizedTest
  @ValueSource(ints = {258, 300, 512, 1024})
  void producesTheRequestedVocabularySize(int vocabSize) {
    ByteLevelBpeTokenizer t = BpeTrainer.train(syntheticCorpus(11, 400), vocabSize);
    assertEquals(vocabSize, t.vocabSize());
    assertTrue(t.merges().size() >= vocabSize - BpeTrainer.MIN_VOCAB_SIZE);
  }

  @Test
  void stopsEarlyWhenNoPairIsLeft() {
    ByteLevelBpeTokenizer t = BpeTrainer.train(List.of("ab ab"), 1000);
    // Words "ab" and " ab": merges a+b, Ġ+ab; then nothing is left to merge.
    assertEquals(List.of(new Merge("a", "b"), new Merge("Ġ", "ab")), t.merges());
    assertEquals(BpeTrainer.MIN_VOCAB_SIZE + 2, t.vocabSize());
  }

  @Test
  void trainingIsDeterministic() {
    List<String> corpus = syntheticCorpus(3, 300);
    ByteLevelBpeTokenizer a = BpeTrainer.train(corpus, 700);
    ByteLevelBpeTokenizer b = BpeTrainer.train(new ArrayList<>(corpus), 700);
    assertEquals(a.tokens(), b.tokens());
    assertEquals(a.merges(), b.merges());
  }

  @Test
  void incrementalCountsGiveTheSameMergesAsRecountingEveryStep() {
    // Short words over a small alphabet: many ties and runs of one letter (aaa), where merges overlap.
    List<String> corpus = new ArrayList<>();
    Random random = new Random(5);
    for (int d = 0; d < 60; d++) {
      StringBuilder doc = new StringBuilder();
      for (int w = 0; w < 30; w++) {
        doc.append(' ');
        int length = 1 + random.nextInt(7);
        for (int k = 0; k < length; k++) {
          doc.append("aabbc".charAt(random.nextInt(5)));
        }
      }
      corpus.add(doc.toString());
    }
    int vocabSize = 420;
    ByteLevelBpeTokenizer fast = BpeTrainer.train(corpus, vocabSize);
    assertEquals(naiveMerges(corpus, vocabSize), fast.merges());
  }

  @Test
  void reportsProgressEndingAtTheFinalVocabularySize() {
    List<BpeTrainer.Progress> reports = new ArrayList<>();
    ByteLevelBpeTokenizer t = BpeTrainer.train(syntheticCorpus(4, 1500), 600, reports::add);
    assertEquals(BpeTrainer.Stage.COUNTING_WORDS, reports.get(0).stage());
    assertTrue(reports.stream().anyMatch(p -> p.stage() == BpeTrainer.Stage.COUNTING_WORDS && p.done() == 1500));
    BpeTrainer.Progress last = reports.get(reports.size() - 1);
    assertEquals(new BpeTrainer.Progress(BpeTrainer.Stage.MERGING, 600, 600), last);
    assertEquals(600, t.vocabSize());
  }

  @Test
  void rejectsVocabularySmallerThanBytesAndSpecials() {
    CalmException e = assertThrows(CalmException.class, () -> BpeTrainer.train(List.of("x"), 257));
    assertTrue(e.getMessage().contains("257") && e.getMessage().contains("258"), e.getMessage());
  }

  @Test
  void trainsOnWikiTextToTheRequestedSize() {
    List<String> docs = WikiTextDocs.all();
    ByteLevelBpeTokenizer t = BpeTrainer.train(docs, 2048);
    assertEquals(2048, t.vocabSize());
    String first = docs.get(0);
    int[] ids = t.encode(first);
    assertEquals(first, t.decode(ids));
    // A 2k vocabulary compresses English prose to well under half a token per byte.
    assertTrue(ids.length < first.getBytes(StandardCharsets.UTF_8).length * 0.4, "tokens: " + ids.length);
  }

  /** Pseudo-random words from a Zipf-like lexicon, plus a frequent "lorem". */
  static List<String> syntheticCorpus(long seed, int documents) {
    Random random = new Random(seed);
    String letters = "etaoinshrdlucmfwypvbgkjqxz";
    List<String> lexicon = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      StringBuilder w = new StringBuilder();
      int length = 2 + random.nextInt(8);
      for (int k = 0; k < length; k++) {
        w.append(letters.charAt((int) (letters.length() * Math.pow(random.nextDouble(), 2))));
      }
      lexicon.add(w.toString());
    }
    List<String> docs = new ArrayList<>();
    for (int d = 0; d < documents; d++) {
      StringBuilder doc = new StringBuilder("lorem");
      for (int w = 0; w < 40; w++) {
        doc.append(' ').append(lexicon.get((int) (lexicon.size() * Math.pow(random.nextDouble(), 3))));
        if (random.nextInt(10) == 0) {
          doc.append(random.nextBoolean() ? ", " : ". ").append(random.nextInt(100)).append(" lorem");
        }
      }
      docs.add(doc.toString());
    }
    return docs;
  }

  /**
   * Textbook BPE: recount every pair over all words at every step, merge the most frequent (ties:
   * smaller left id, then smaller right id), left to right within each word.
   */
  static List<Merge> naiveMerges(List<String> documents, int vocabSize) {
    Map<String, Long> counts = BpeTrainer.countWords(documents, p -> {});
    List<String> tokens = new ArrayList<>(List.of("<|pad|>", "<|endoftext|>"));
    for (int b = 0; b < 256; b++) {
      tokens.add(String.valueOf(ByteLevel.byteToChar(b)));
    }
    List<List<Integer>> words = new ArrayList<>();
    List<Long> freq = new ArrayList<>();
    counts.forEach((word, count) -> {
      List<Integer> symbols = new ArrayList<>();
      for (byte b : word.getBytes(StandardCharsets.UTF_8)) {
        symbols.add(2 + (b & 0xFF));
      }
      words.add(symbols);
      freq.add(count);
    });
    List<Merge> merges = new ArrayList<>();
    while (tokens.size() < vocabSize) {
      Map<List<Integer>, Long> pairs = new HashMap<>();
      for (int w = 0; w < words.size(); w++) {
        List<Integer> s = words.get(w);
        for (int i = 0; i + 1 < s.size(); i++) {
          pairs.merge(List.of(s.get(i), s.get(i + 1)), freq.get(w), Long::sum);
        }
      }
      List<Integer> best = null;
      long bestCount = 0;
      for (Map.Entry<List<Integer>, Long> e : pairs.entrySet()) {
        List<Integer> p = e.getKey();
        long c = e.getValue();
        boolean better = c > bestCount
            || (c == bestCount && best != null
                && (p.get(0) < best.get(0) || (p.get(0).equals(best.get(0)) && p.get(1) < best.get(1))));
        if (better) {
          best = p;
          bestCount = c;
        }
      }
      if (best == null) {
        break;
      }
      String text = tokens.get(best.get(0)) + tokens.get(best.get(1));
      int merged = tokens.indexOf(text);
      if (merged < 0) {
        tokens.add(text);
        merged = tokens.size() - 1;
      }
      merges.add(new Merge(tokens.get(best.get(0)), tokens.get(best.get(1))));
      for (List<Integer> s : words) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < s.size(); i++) {
          if (i + 1 < s.size() && s.get(i).equals(best.get(0)) && s.get(i + 1).equals(best.get(1))) {
            out.add(merged);
            i++;
          } else {
            out.add(s.get(i));
          }
        }
        s.clear();
        s.addAll(out);
      }
    }
    return merges;
  }
}
