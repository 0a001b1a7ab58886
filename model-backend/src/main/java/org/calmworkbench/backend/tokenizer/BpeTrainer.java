package org.calmworkbench.backend.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import org.calmworkbench.backend.CalmException;

/**
 * Trains a byte-level BPE vocabulary (GPT-2 style), the standard fast way:
 *
 * <ol>
 *   <li>split every document into pre-token words and count each distinct word once;
 *   <li>count adjacent symbol pairs over distinct words, weighted by word frequency, and index which
 *       words hold each pair;
 *   <li>repeatedly merge the most frequent pair, updating only the words that hold it and only the
 *       pair counts next to each merge site (a priority queue with lazy re-checks finds the next
 *       best pair).
 * </ol>
 *
 * <p>Ids: 0 = {@value ByteLevelBpeTokenizer#PAD}, 1 = {@value ByteLevelBpeTokenizer#END_OF_TEXT},
 * 2..257 = the bytes 0x00..0xFF, then merged tokens in the order they were learned. Ties between
 * equally frequent pairs go to the pair with the smaller (left id, right id), so training is
 * deterministic. Training stops early if the corpus has no pairs left to merge.
 */
public final class BpeTrainer {
  private BpeTrainer() {}

  /** The two special tokens and the 256 byte tokens. */
  public static final int MIN_VOCAB_SIZE = 2 + 256;

  /** What training is doing. */
  public enum Stage {
    /** Reading documents; {@code done} counts documents, {@code total} is unknown (-1). */
    COUNTING_WORDS,
    /** Learning merges; {@code done} is the vocabulary size so far, {@code total} the target. */
    MERGING
  }

  /** A progress report; {@code done == total} in the last MERGING report. */
  public record Progress(Stage stage, long done, long total) {}

  /** Trains a vocabulary of {@code vocabSize} tokens (specials and bytes included). */
  public static ByteLevelBpeTokenizer train(Iterable<String> documents, int vocabSize) {
    return train(documents, vocabSize, progress -> {});
  }

  /**
   * Trains a vocabulary of {@code vocabSize} tokens (specials and bytes included), reporting
   * progress about every 1000 documents and every 100 merges. Honours thread interruption by
   * throwing {@link CancellationException}.
   *
   * @throws CalmException if {@code vocabSize} is below {@link #MIN_VOCAB_SIZE}
   */
  public static ByteLevelBpeTokenizer train(
      Iterable<String> documents, int vocabSize, Consumer<Progress> progress) {
    if (vocabSize < MIN_VOCAB_SIZE) {
      throw new CalmException(
          "vocabulary size " + vocabSize + " is too small: byte-level BPE needs at least "
              + MIN_VOCAB_SIZE + " (2 special tokens + 256 bytes)");
    }
    Map<String, Long> wordCounts = countWords(documents, progress);
    return new Merger(wordCounts, vocabSize, progress).run();
  }

  /** Pre-token word -> number of occurrences in the corpus. */
  static Map<String, Long> countWords(Iterable<String> documents, Consumer<Progress> progress) {
    Map<String, Long> counts = new HashMap<>();
    long read = 0;
    for (String document : documents) {
      Matcher words = ByteLevel.PRE_TOKENIZER.matcher(document);
      while (words.find()) {
        counts.merge(words.group(), 1L, Long::sum);
      }
      if (++read % 1000 == 0) {
        checkInterrupted();
        progress.accept(new Progress(Stage.COUNTING_WORDS, read, -1));
      }
    }
    progress.accept(new Progress(Stage.COUNTING_WORDS, read, -1));
    return counts;
  }

  private static void checkInterrupted() {
    if (Thread.currentThread().isInterrupted()) {
      throw new CancellationException("tokenizer training was cancelled");
    }
  }

  /** One distinct word: its current symbols (token ids) and how often it occurs. */
  private static final class Word {
    final int[] symbols;
    int length;
    final long count;

    Word(byte[] bytes, long count) {
      symbols = new int[bytes.length];
      for (int i = 0; i < bytes.length; i++) {
        symbols[i] = byteId(bytes[i]);
      }
      length = bytes.length;
      this.count = count;
    }

    boolean contains(int left, int right) {
      for (int i = 0; i + 1 < length; i++) {
        if (symbols[i] == left && symbols[i + 1] == right) {
          return true;
        }
      }
      return false;
    }
  }

  /** A pair's total count over the corpus and the words that hold (or once held) it. */
  private static final class PairStats {
    long count;
    final IntList words = new IntList(4);
  }

  /** A queue entry; {@code count} may be stale and is re-checked when the entry comes out. */
  private record Candidate(long count, int left, int right) {}

  private static final Comparator<Candidate> BEST_FIRST =
      Comparator.comparingLong(Candidate::count).reversed()
          .thenComparingInt(Candidate::left)
          .thenComparingInt(Candidate::right);

  private static int byteId(byte b) {
    return 2 + (b & 0xFF);
  }

  /** The merge loop over a fixed set of counted words. */
  private static final class Merger {
    private final Word[] words;
    private final int vocabSize;
    private final Consumer<Progress> progress;
    private final List<String> tokens = new ArrayList<>();
    private final Map<String, Integer> ids = new HashMap<>();
    private final List<ByteLevelBpeTokenizer.Merge> merges = new ArrayList<>();
    private final Map<Long, PairStats> pairs = new HashMap<>();
    private final PriorityQueue<Candidate> queue = new PriorityQueue<>(BEST_FIRST);
    private final int[] visitedInStep; // word index -> last merge step that visited it

    Merger(Map<String, Long> wordCounts, int vocabSize, Consumer<Progress> progress) {
      this.vocabSize = vocabSize;
      this.progress = progress;
      addToken(ByteLevelBpeTokenizer.PAD);
      addToken(ByteLevelBpeTokenizer.END_OF_TEXT);
      for (int b = 0; b < 256; b++) {
        addToken(String.valueOf(ByteLevel.byteToChar(b)));
      }
      words = new Word[wordCounts.size()];
      int w = 0;
      for (Map.Entry<String, Long> entry : wordCounts.entrySet()) {
        words[w++] = new Word(entry.getKey().getBytes(StandardCharsets.UTF_8), entry.getValue());
      }
      visitedInStep = new int[words.length];
      java.util.Arrays.fill(visitedInStep, -1);
    }

    private int addToken(String token) {
      tokens.add(token);
      ids.put(token, tokens.size() - 1);
      return tokens.size() - 1;
    }

    ByteLevelBpeTokenizer run() {
      countAllPairs();
      int step = 0;
      while (tokens.size() < vocabSize && !queue.isEmpty()) {
        Candidate best = queue.poll();
        long key = ByteLevelBpeTokenizer.pairKey(best.left(), best.right());
        PairStats stats = pairs.get(key);
        long current = stats == null ? 0 : stats.count;
        if (current != best.count()) { // stale entry: requeue with the true count
          if (current > 0) {
            queue.add(new Candidate(current, best.left(), best.right()));
          }
          continue;
        }
        merge(best.left(), best.right(), stats, step++);
        if (step % 100 == 0) {
          checkInterrupted();
          progress.accept(new Progress(Stage.MERGING, tokens.size(), vocabSize));
        }
      }
      progress.accept(new Progress(Stage.MERGING, tokens.size(), tokens.size()));
      return new ByteLevelBpeTokenizer(tokens, merges, List.of(0, 1), false);
    }

    private void countAllPairs() {
      for (int w = 0; w < words.length; w++) {
        Word word = words[w];
        for (int i = 0; i + 1 < word.length; i++) {
          addToPair(word.symbols[i], word.symbols[i + 1], word.count, w);
        }
      }
      pairs.forEach((key, stats) ->
          queue.add(new Candidate(stats.count, (int) (key >> 32), (int) (long) key)));
    }

    /**
     * Adds {@code delta} occurrences to a pair; a positive delta also records that word {@code w}
     * holds it. Returns the pair's key.
     */
    private long addToPair(int left, int right, long delta, int w) {
      long key = ByteLevelBpeTokenizer.pairKey(left, right);
      PairStats stats = pairs.computeIfAbsent(key, k -> new PairStats());
      stats.count += delta;
      if (delta > 0 && stats.words.last() != w) {
        stats.words.add(w);
      }
      return key;
    }

    /**
     * Makes (left, right) one token and rewrites every word that holds the pair, adjusting only the
     * counts of the pairs around each merge site: (prev, left) becomes (prev, merged) and
     * (right, next) becomes (merged, next).
     */
    private void merge(int left, int right, PairStats stats, int step) {
      String text = tokens.get(left) + tokens.get(right);
      // Guard, as in Hugging Face's trainer: were two merges ever to spell the same token ("a"+"bc",
      // "ab"+"c"), both would map to one id. Greedy global merging never does this (all occurrences
      // of a token are made in one step). Pre-tokenization never puts letters and punctuation in
      // one word, so no merge can spell a special token such as "<|endoftext|>".
      Integer existing = ids.get(text);
      int merged = existing != null ? existing : addToken(text);
      merges.add(new ByteLevelBpeTokenizer.Merge(tokens.get(left), tokens.get(right)));

      Set<Long> grown = new HashSet<>();
      for (int k = 0; k < stats.words.size(); k++) {
        int w = stats.words.get(k);
        if (visitedInStep[w] == step || !words[w].contains(left, right)) {
          continue; // a duplicate entry, or the word lost the pair to an earlier merge
        }
        visitedInStep[w] = step;
        rewrite(words[w], w, left, right, merged, grown);
      }
      pairs.remove(ByteLevelBpeTokenizer.pairKey(left, right)); // no word holds it any more
      for (long key : grown) {
        PairStats s = pairs.get(key);
        if (s != null && s.count > 0) {
          queue.add(new Candidate(s.count, (int) (key >> 32), (int) key));
        }
      }
    }

    /** Replaces each (left, right) in the word, left to right, by {@code merged}, in place. */
    private void rewrite(Word word, int w, int left, int right, int merged, Set<Long> grown) {
      int[] s = word.symbols;
      int n = word.length;
      int out = 0; // symbols [0, out) are final; [in, n) are not yet read
      int in = 0;
      while (in < n) {
        if (in + 1 < n && s[in] == left && s[in + 1] == right) {
          if (out > 0) {
            int prev = s[out - 1];
            addToPair(prev, left, -word.count, w);
            grown.add(addToPair(prev, merged, word.count, w));
          }
          if (in + 2 < n) {
            int next = s[in + 2];
            addToPair(right, next, -word.count, w);
            grown.add(addToPair(merged, next, word.count, w));
          }
          s[out++] = merged;
          in += 2;
        } else {
          s[out++] = s[in++];
        }
      }
      word.length = out;
    }
  }
}
