package org.calmworkbench.backend.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CorpusStatsTest {
  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource({
    "aaaa, 1, 0.0", // one symbol: no uncertainty
    "abab, 2, 1.0", // two equally likely symbols: one bit
    "abcd, 4, 2.0",
    "aaab, 2, 0.8112781244591328" // -(3/4 log2 3/4 + 1/4 log2 1/4)
  })
  void countsDistinctTokensAndUnigramEntropy(String text, int distinct, double bits) throws IOException {
    Path file = dir.resolve("t.txt");
    Files.writeString(file, text);

    CorpusStats stats = CorpusStats.count(List.of(file), new ByteTokenizer(), ProgressListener.NONE);

    assertEquals(1, stats.documents());
    assertEquals(4, stats.chars());
    assertEquals(4, stats.tokens());
    assertEquals(distinct, stats.distinctTokens());
    assertEquals(bits, stats.unigramEntropyBits(), 1e-12);
  }

  @Test
  void corpusStatsCountDocumentsNotSeparators() throws IOException {
    Path file = dir.resolve("d.jsonl");
    Files.writeString(file, "{\"text\":\"ab\"}\n{\"text\":\"é\"}\n{\"text\":\"cd\"}\n");
    TokenizedCorpus corpus = TokenizedCorpus.build(
        new TokenizedCorpus.Config(List.of(file), new ByteTokenizer(), "b", 1, dir.resolve("cache")),
        ProgressListener.NONE);

    CorpusStats direct = CorpusStats.count(List.of(file), new ByteTokenizer(), ProgressListener.NONE);

    assertEquals(new CorpusStats(3, 5, 6, 6, Math.log(6) / Math.log(2), List.of()), direct);
    assertEquals(direct, corpus.stats());
    // three documents are too few to draw from: the joined stream "ab|é|cd" is cut before its last token
    assertEquals(6 + 2, corpus.train().size() + corpus.validation().size(), "end-of-text ids between the documents");
    assertEquals(1, corpus.validation().size());
  }
}
