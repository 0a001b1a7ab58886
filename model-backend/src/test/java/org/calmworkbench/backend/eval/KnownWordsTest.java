package org.calmworkbench.backend.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KnownWordsTest {
  @TempDir Path dir;

  @Test
  void countsGeneratedWordsThatOccurInTheCorpusIgnoringCaseNumbersAndPunctuation() {
    KnownWords words = KnownWords.ofText("The little robot found a red ball. Tom's dog is happy!");

    // words: the, robot, found, balls, no, ball; "balls" and "no" are not in the corpus
    assertEquals(4.0 / 6, words.fraction("the ROBOT found 42 balls... no: ball"), 1e-12);
  }

  @Test
  void letterSaladScoresLow() {
    KnownWords words = KnownWords.ofText("This is a story about Tom and his lion. Tom writes in the kitchen.");

    assertEquals(3.0 / 6, words.fraction("ThisI sree waroteetri in the kitchen."), 1e-12);
    assertEquals(0.5, words.fraction("Tom's lion"), 1e-12, "Tom's is one word, not in this corpus; lion is");
    assertTrue(Double.isNaN(words.fraction("42 ... !")), "no words");
  }

  @Test
  void readsTheCorpusFilesAndTheRunsRecordedCorpus() throws IOException {
    Path corpus = dir.resolve("c.jsonl");
    Files.writeString(corpus, "{\"text\":\"alpha beta\"}\n{\"text\":\"gamma\"}\n");

    KnownWords words = KnownWords.of(List.of(corpus));

    assertEquals(3, words.size());
    assertEquals(2.0 / 3, words.fraction("alpha gamma delta"), 1e-12);
    assertTrue(KnownWords.ofRun(dir.resolve("no-run")).isEmpty(), "no split.json: unknown corpus");
  }
}
