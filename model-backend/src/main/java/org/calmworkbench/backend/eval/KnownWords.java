package org.calmworkbench.backend.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.calmworkbench.backend.data.CorpusReader;
import org.calmworkbench.backend.data.DataSplit;

/**
 * The words of a training corpus, to measure how much of a generated text is made of real words:
 * {@code known_word_fraction} = generated words that occur in the corpus / generated words. A word
 * is a maximal run of letters (any script) with inner apostrophes, compared case-insensitively;
 * numbers and punctuation are not words. A model that writes letter salad ("ThisI sree waroteetri")
 * scores far below 1; one that has learned the corpus's vocabulary scores near 1 even when its
 * sentences make no sense. A cheap, honest first check of generated text, not a quality metric.
 */
public final class KnownWords {
  private static final Pattern WORD = Pattern.compile("\\p{L}+(?:['\u2019]\\p{L}+)*");

  private final Set<String> words;

  private KnownWords(Set<String> words) {
    this.words = words;
  }

  /** Every word of the corpus at {@code paths} (files, folders, JSONL; see {@link CorpusReader}). */
  public static KnownWords of(List<Path> paths) throws IOException {
    Set<String> words = new HashSet<>();
    CorpusReader.of(paths).read(doc -> addWords(doc.text(), words), (a, b) -> {});
    return new KnownWords(words);
  }

  /** The words of {@code text} (for tests and small vocabularies). */
  public static KnownWords ofText(String text) {
    Set<String> words = new HashSet<>();
    addWords(text, words);
    return new KnownWords(words);
  }

  /**
   * The corpus a run trained on, as recorded in its {@code split.json} ({@link DataSplit}), if
   * every file is still there.
   */
  public static Optional<KnownWords> ofRun(Path runDir) throws IOException {
    List<Path> corpus = DataSplit.corpusOf(runDir);
    if (corpus.isEmpty() || !corpus.stream().allMatch(Files::exists)) {
      return Optional.empty();
    }
    return Optional.of(of(corpus));
  }

  private static void addWords(String text, Set<String> words) {
    Matcher m = WORD.matcher(text);
    while (m.find()) {
      words.add(m.group().toLowerCase(Locale.ROOT));
    }
  }

  /** Distinct words known. */
  public int size() {
    return words.size();
  }

  /** {@link #fraction}, empty when {@code text} has no words (nothing measured). */
  public Optional<Double> measured(String text) {
    double f = fraction(text);
    return Double.isNaN(f) ? Optional.empty() : Optional.of(f);
  }

  /** Share of {@code text}'s words that are known; NaN when it has no words. */
  public double fraction(String text) {
    Matcher m = WORD.matcher(text);
    long all = 0;
    long known = 0;
    while (m.find()) {
      all++;
      known += words.contains(m.group().toLowerCase(Locale.ROOT)) ? 1 : 0;
    }
    return all == 0 ? Double.NaN : (double) known / all;
  }
}
