package org.calmworkbench.backend.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.calmworkbench.backend.tokenizer.Tokenizer;

/**
 * Figures about a corpus for the Project panel. Token figures count document tokens only, not the
 * end-of-text ids put between documents.
 *
 * @param documents documents as {@link CorpusReader} defines them
 * @param chars chars (UTF-16 units) in the documents
 * @param tokens token ids in the documents
 * @param distinctTokens how many different ids occur
 * @param unigramEntropyBits {@code H = -sum p log2 p} over id frequencies, in bits per token: what
 *     a model that ignores context would pay, a ceiling any trained model should beat
 * @param warnings problems met while reading, one line each
 */
public record CorpusStats(
    long documents, long chars, long tokens, int distinctTokens, double unigramEntropyBits, List<String> warnings) {

  /** Reads and tokenizes {@code paths} once, without touching any cache. */
  public static CorpusStats count(List<Path> paths, Tokenizer tokenizer, ProgressListener progress)
      throws IOException {
    Counter counter = new Counter(tokenizer.vocabSize());
    CorpusReader.ReadResult read =
        CorpusReader.of(paths).read(doc -> counter.add(tokenizer.encode(doc.text())), progress);
    return counter.stats(read);
  }

  /** Accumulates id frequencies; shared by {@link #count} and {@link TokenizedCorpus}. */
  static final class Counter {
    private final long[] frequency;
    private long tokens;

    Counter(int vocabSize) {
      this.frequency = new long[vocabSize];
    }

    void add(int[] ids) {
      for (int id : ids) {
        if (id < 0 || id >= frequency.length) {
          throw new IllegalStateException("tokenizer returned id " + id + " outside its vocabulary [0, " + frequency.length + ")");
        }
        frequency[id]++;
      }
      tokens += ids.length;
    }

    CorpusStats stats(CorpusReader.ReadResult read) {
      int distinct = 0;
      double entropy = 0;
      for (long f : frequency) {
        if (f > 0) {
          distinct++;
          double p = (double) f / tokens;
          entropy -= p * Math.log(p);
        }
      }
      return new CorpusStats(read.documents(), read.chars(), tokens, distinct, entropy / Math.log(2), read.warnings());
    }
  }
}
