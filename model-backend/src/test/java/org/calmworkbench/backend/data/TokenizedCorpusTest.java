package org.calmworkbench.backend.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.tokenizer.Tokenizer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenizedCorpusTest {
  @TempDir Path dir;

  private Path cache() {
    return dir.resolve("project/cache/tokens");
  }

  private static int[] all(TokenIds ids) {
    int[] out = new int[(int) ids.size()];
    ids.copy(0, out, 0, out.length);
    return out;
  }

  /** The pieces of {@code ids} between end-of-text ids, decoded. */
  private static List<String> segments(ByteTokenizer tokenizer, TokenIds ids) {
    List<String> out = new ArrayList<>();
    List<Integer> current = new ArrayList<>();
    for (int id : all(ids)) {
      if (id == ByteTokenizer.EOS) {
        out.add(tokenizer.decode(current.stream().mapToInt(Integer::intValue).toArray()));
        current.clear();
      } else {
        current.add(id);
      }
    }
    out.add(tokenizer.decode(current.stream().mapToInt(Integer::intValue).toArray()));
    return out;
  }

  private Path jsonl(String name, List<String> texts) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, texts.stream().map(t -> "{\"text\":\"" + t + "\"}").collect(Collectors.joining("\n")));
    return file;
  }

  private static long[] lengths(ByteTokenizer tokenizer, List<String> texts) {
    return texts.stream().mapToLong(t -> tokenizer.encode(t).length).toArray();
  }

  private static List<String> documents(int n) {
    return IntStream.range(0, n).mapToObj(i -> "document number " + i).toList();
  }

  @Test
  void jsonlDocumentsAreSplitByTheSeedAndJoinedWithEndOfText() throws IOException {
    List<String> docs = documents(60);
    Path file = jsonl("data.jsonl", docs);
    ByteTokenizer tokenizer = new ByteTokenizer();

    TokenizedCorpus corpus = TokenizedCorpus.build(
        new TokenizedCorpus.Config(List.of(file), tokenizer, "bytes-v1", 5, 0.2, cache()), ProgressListener.NONE);

    boolean[] isValidation = CorpusSplit.validationUnits(lengths(tokenizer, docs), 5, 0.2).orElseThrow();
    List<String> expectedTrain = new ArrayList<>();
    List<String> expectedValidation = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      (isValidation[i] ? expectedValidation : expectedTrain).add(docs.get(i));
    }
    assertEquals(expectedTrain, segments(tokenizer, corpus.train()));
    assertEquals(expectedValidation, segments(tokenizer, corpus.validation()));
    assertEquals(expectedTrain.size(), corpus.trainDocuments());
    assertEquals(expectedValidation.size(), corpus.validationDocuments());
    assertFalse(corpus.fromCache());
  }

  @Test
  void paragraphsOfOneFileJoinWithoutEndOfTextUnlessTheSplitSkipsOne() throws IOException {
    List<String> paragraphs = IntStream.range(0, 40).mapToObj(i -> "paragraph " + i + "\n\n").toList();
    Path file = dir.resolve("book.txt");
    Files.writeString(file, String.join("", paragraphs));
    ByteTokenizer tokenizer = new ByteTokenizer();

    TokenizedCorpus corpus = TokenizedCorpus.build(
        new TokenizedCorpus.Config(List.of(file), tokenizer, "bytes-v1", 9, 0.25, cache()), ProgressListener.NONE);

    // Expected train stream: maximal runs of consecutive train paragraphs, one segment per run.
    boolean[] isValidation = CorpusSplit.validationUnits(lengths(tokenizer, paragraphs), 9, 0.25).orElseThrow();
    List<String> runs = new ArrayList<>();
    StringBuilder run = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      if (isValidation[i]) {
        if (run.length() > 0) {
          runs.add(run.toString());
          run.setLength(0);
        }
      } else {
        run.append(paragraphs.get(i));
      }
    }
    if (run.length() > 0) {
      runs.add(run.toString());
    }
    assertTrue(runs.size() > 1, "the split should skip at least one paragraph inside the file");
    assertEquals(runs, segments(tokenizer, corpus.train()));
  }

  @Test
  void singleDocumentIsCutAtAPositionInsteadOfByDocument() throws IOException {
    String text = "x".repeat(180) + "y".repeat(20);
    Path file = dir.resolve("one.txt");
    Files.writeString(file, text);
    ByteTokenizer tokenizer = new ByteTokenizer();

    TokenizedCorpus corpus = TokenizedCorpus.build(
        new TokenizedCorpus.Config(List.of(file), tokenizer, "bytes-v1", 1, 0.1, cache()), ProgressListener.NONE);

    assertEquals("x".repeat(180), tokenizer.decode(all(corpus.train())));
    assertEquals("y".repeat(20), tokenizer.decode(all(corpus.validation())));
  }

  @Test
  void tokenizerWithoutEndOfTextJustConcatenates() throws IOException {
    Path file = jsonl("data.jsonl", List.of("aa", "bb", "cc", "dd"));
    ByteTokenizer tokenizer = new ByteTokenizer(false);

    TokenizedCorpus corpus = TokenizedCorpus.build(
        new TokenizedCorpus.Config(List.of(file), tokenizer, "bytes-no-eos", 3, 0.3, cache()), ProgressListener.NONE);

    long total = corpus.train().size() + corpus.validation().size();
    assertEquals(8, total, "4 documents of 2 bytes and no separators");
  }

  @Test
  void secondBuildLoadsTheCacheWithoutTokenizing() throws IOException {
    Path file = jsonl("data.jsonl", documents(30));
    ByteTokenizer tokenizer = new ByteTokenizer();
    TokenizedCorpus.Config config = new TokenizedCorpus.Config(List.of(file), tokenizer, "bytes-v1", 5, cache());
    TokenizedCorpus first = TokenizedCorpus.build(config, ProgressListener.NONE);
    int callsAfterFirst = tokenizer.encodeCalls.get();

    TokenizedCorpus second = TokenizedCorpus.build(config, ProgressListener.NONE);

    assertEquals(30, callsAfterFirst);
    assertEquals(callsAfterFirst, tokenizer.encodeCalls.get(), "a cache hit must not tokenize");
    assertTrue(second.fromCache());
    assertEquals(first.cacheKey(), second.cacheKey());
    assertArrayEquals(all(first.train()), all(second.train()));
    assertArrayEquals(all(first.validation()), all(second.validation()));
    assertEquals(first.stats(), second.stats());
  }

  @Test
  void changedFileInvalidatesTheCache() throws IOException {
    Path file = jsonl("data.jsonl", documents(30));
    ByteTokenizer tokenizer = new ByteTokenizer();
    TokenizedCorpus.Config config = new TokenizedCorpus.Config(List.of(file), tokenizer, "bytes-v1", 5, cache());
    TokenizedCorpus first = TokenizedCorpus.build(config, ProgressListener.NONE);

    jsonl("data.jsonl", documents(31));
    Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 5000));
    tokenizer.encodeCalls.set(0);
    TokenizedCorpus second = TokenizedCorpus.build(config, ProgressListener.NONE);

    assertEquals(31, tokenizer.encodeCalls.get());
    assertFalse(second.fromCache());
    assertNotEquals(first.cacheKey(), second.cacheKey());
    assertEquals(31, second.stats().documents());
  }

  @Test
  void otherSeedOrTokenizerFingerprintRebuilds() throws IOException {
    Path file = jsonl("data.jsonl", documents(30));
    ByteTokenizer tokenizer = new ByteTokenizer();
    TokenizedCorpus.build(new TokenizedCorpus.Config(List.of(file), tokenizer, "bytes-v1", 5, cache()), ProgressListener.NONE);

    TokenizedCorpus otherSeed = TokenizedCorpus.build(
        new TokenizedCorpus.Config(List.of(file), tokenizer, "bytes-v1", 6, cache()), ProgressListener.NONE);
    TokenizedCorpus otherTokenizer = TokenizedCorpus.build(
        new TokenizedCorpus.Config(List.of(file), tokenizer, "bytes-v2", 6, cache()), ProgressListener.NONE);

    assertFalse(otherSeed.fromCache());
    assertFalse(otherTokenizer.fromCache());
    assertEquals(90, tokenizer.encodeCalls.get());
  }

  @Test
  void missingOrCorruptManifestRebuilds() throws IOException {
    Path file = jsonl("data.jsonl", documents(10));
    ByteTokenizer tokenizer = new ByteTokenizer();
    TokenizedCorpus.Config config = new TokenizedCorpus.Config(List.of(file), tokenizer, "bytes-v1", 5, cache());
    TokenizedCorpus.build(config, ProgressListener.NONE);

    Files.writeString(cache().resolve(TokenizedCorpus.MANIFEST_FILE), "{ not json");
    TokenizedCorpus afterCorrupt = TokenizedCorpus.build(config, ProgressListener.NONE);
    Files.delete(cache().resolve(TokenizedCorpus.MANIFEST_FILE));
    TokenizedCorpus afterDelete = TokenizedCorpus.build(config, ProgressListener.NONE);
    Files.write(cache().resolve(TokenizedCorpus.TRAIN_FILE), new byte[8]); // token file does not match the manifest
    TokenizedCorpus afterTruncate = TokenizedCorpus.build(config, ProgressListener.NONE);

    assertFalse(afterCorrupt.fromCache());
    assertFalse(afterDelete.fromCache());
    assertFalse(afterTruncate.fromCache());
    assertEquals(40, tokenizer.encodeCalls.get());
    try (var files = Files.list(cache())) {
      assertEquals(List.of("manifest.json", "train.bin", "valid.bin"),
          files.map(p -> p.getFileName().toString()).sorted().toList(), "no temp files left behind");
    }
  }

  @Test
  void warningsSurviveACacheHit() throws IOException {
    Path file = dir.resolve("bad.txt");
    Files.write(file, new byte[] {'a', 'b', (byte) 0xFF, 'c'});
    TokenizedCorpus.Config config = new TokenizedCorpus.Config(List.of(file), new ByteTokenizer(), "b", 5, cache());
    TokenizedCorpus.build(config, ProgressListener.NONE);

    TokenizedCorpus hit = TokenizedCorpus.build(config, ProgressListener.NONE);

    assertTrue(hit.fromCache());
    assertEquals(List.of(file + ": 1 invalid UTF-8 sequence replaced"), hit.warnings());
  }

  @Test
  void emptyCorpusIsRefused() throws IOException {
    Path file = dir.resolve("empty.txt");
    Files.writeString(file, "\n\n");

    CalmException e = assertThrows(CalmException.class, () -> TokenizedCorpus.build(
        new TokenizedCorpus.Config(List.of(file), new ByteTokenizer(), "b", 5, cache()), ProgressListener.NONE));

    assertEquals("corpus is empty: no text in " + file, e.getMessage());
  }

  @Test
  void requireAtLeastSaysHowManyTokensWereFoundAndNeeded() throws IOException {
    Path file = dir.resolve("short.txt");
    Files.writeString(file, "z".repeat(100)); // one document: 95 train tokens, 5 validation tokens
    TokenizedCorpus corpus = TokenizedCorpus.build(
        new TokenizedCorpus.Config(List.of(file), new ByteTokenizer(), "b", 5, 0.05, cache()), ProgressListener.NONE);

    corpus.requireAtLeast(4, 4); // one patch fits in both splits
    CalmException train = assertThrows(CalmException.class, () -> corpus.requireAtLeast(97, 4));
    CalmException validation = assertThrows(CalmException.class, () -> corpus.requireAtLeast(6, 4));

    assertTrue(train.getMessage().contains("the training split has 95 tokens, but at least 100 are needed"),
        train.getMessage());
    assertTrue(validation.getMessage().contains("the validation split has 5 tokens, but at least 8 are needed"),
        validation.getMessage());
    assertTrue(train.getMessage().contains(file.toString()));
  }

  @Test
  void progressEndsAtTheCorpusSize() throws IOException {
    Path file = jsonl("data.jsonl", documents(20));
    long[] last = new long[2];

    TokenizedCorpus.build(new TokenizedCorpus.Config(List.of(file), new ByteTokenizer(), "b", 5, cache()),
        (done, total) -> {
          last[0] = done;
          last[1] = total;
        });

    assertEquals(Files.size(file), last[1]);
    assertEquals(last[1], last[0]);
  }

  @Test
  void tokenFilesLiveInTheGivenCacheFolder() throws IOException {
    Path file = jsonl("data.jsonl", documents(20));
    TokenizedCorpus corpus = TokenizedCorpus.build(
        new TokenizedCorpus.Config(List.of(file), new ByteTokenizer(), "b", 5, cache()), ProgressListener.NONE);

    assertEquals(corpus.train().size() * 4, Files.size(cache().resolve(TokenizedCorpus.TRAIN_FILE)));
    assertEquals(corpus.validation().size() * 4, Files.size(cache().resolve(TokenizedCorpus.VALIDATION_FILE)));
    assertTrue(Files.readString(cache().resolve(TokenizedCorpus.MANIFEST_FILE)).contains(corpus.cacheKey()));
    assertEquals(64, corpus.cacheKey().length(), "hex SHA-256");
    assertTrue(Arrays.stream(all(corpus.train())).allMatch(id -> id >= 1 && id < 258));
  }

  @Test
  void wikiText103TestSetSplitsIntoTrainAndValidationDocuments() throws IOException {
    String shared = System.getProperty("calm.shared.dir");
    Path file = shared == null ? null : Path.of(shared, "data", "wikitext103-test.jsonl");
    if (file == null || !Files.isRegularFile(file)) {
      Assumptions.assumeTrue(false, "calm.shared.dir/data/wikitext103-test.jsonl not available");
    }
    ByteTokenizer tokenizer = new ByteTokenizer();

    TokenizedCorpus corpus = TokenizedCorpus.build(
        new TokenizedCorpus.Config(List.of(file), tokenizer, "bytes-v1", 0, cache()), ProgressListener.NONE);

    assertEquals(62, corpus.stats().documents());
    TokenizedCorpus.Split split = corpus.split();
    assertEquals(CorpusSplit.Rule.UNITS, split.rule());
    assertEquals(0.1, split.realisedFraction(), 0.02, split.describe());
    assertTrue(split.trainDocuments() + split.validDocuments() >= 62, split.describe());
    assertTrue(split.validDocuments() >= 3, split.describe());
    long ids = corpus.train().size() + corpus.validation().size();
    assertTrue(ids > corpus.stats().tokens() && ids < corpus.stats().tokens() + 200,
        "documents plus an end-of-text between the units of each split that do not continue each other");
    assertTrue(corpus.stats().unigramEntropyBits() > 3 && corpus.stats().unigramEntropyBits() < 6,
        "English text in UTF-8 bytes: about 4.5-5 bits per byte, got " + corpus.stats().unigramEntropyBits());
  }

  // ---- the shares the split realises (issue: a one-line-per-document file trained on 5% of itself) ----

  private static String sentence(SplittableRandom random, int chars) {
    StringBuilder sb = new StringBuilder();
    while (sb.length() < chars) {
      sb.append("word").append(random.nextInt(1000)).append(' ');
    }
    return sb.toString().trim();
  }

  private TokenizedCorpus build(Path file, double fraction) throws IOException {
    return TokenizedCorpus.build(
        new TokenizedCorpus.Config(List.of(file), new ByteTokenizer(), "bytes-v1", 42, fraction, cache()),
        ProgressListener.NONE);
  }

  @ParameterizedTest
  @ValueSource(doubles = {0.05, 0.1, 0.2})
  void fileWithOneDocumentPerLineHoldsOutTheRequestedShare(double fraction) throws IOException {
    SplittableRandom random = new SplittableRandom(1);
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 1100; i++) { // 1,100 lines of about 1,000 chars, no blank lines: 1.1 MB
      text.append(sentence(random, 1000)).append('\n');
    }
    Path file = dir.resolve("lines.txt");
    Files.writeString(file, text);

    TokenizedCorpus.Split split = build(file, fraction).split();

    assertEquals(CorpusSplit.Rule.UNITS, split.rule());
    assertEquals(fraction, split.realisedFraction(), CorpusSplit.TOLERANCE * fraction, split.describe());
    assertEquals(1100, split.trainDocuments() + split.validDocuments(), "each line is one document");
    assertTrue(split.readingRules().get(file.toString()).contains("per line"), split.readingRules().toString());
    assertTrue(split.warning().isEmpty());
  }

  @Test
  void fileOfTwoHugeParagraphsIsCutIntoPiecesAndHoldsOutTheRequestedShare() throws IOException {
    SplittableRandom random = new SplittableRandom(2);
    String text = sentence(random, 600_000) + "\n\n" + sentence(random, 500_000) + "\n";
    Path file = dir.resolve("two.txt");
    Files.writeString(file, text);

    TokenizedCorpus corpus = build(file, 0.1);
    TokenizedCorpus.Split split = corpus.split();

    assertEquals(CorpusSplit.Rule.UNITS, split.rule());
    assertEquals(0.1, split.realisedFraction(), 0.02, split.describe());
    assertTrue(split.validDocuments() >= 1 && split.trainDocuments() == 2, split.describe());
    assertEquals(text.length(), corpus.train().size() + corpus.validation().size() - endOfTexts(corpus),
        "every byte lands in exactly one split");
  }

  @Test
  void singleDocumentCutsTheStreamAndReportsIt() throws IOException {
    Path file = dir.resolve("single.txt");
    Files.writeString(file, "a".repeat(10_000));

    TokenizedCorpus.Split split = build(file, 0.1).split();

    assertEquals(CorpusSplit.Rule.TAIL, split.rule());
    assertEquals(9_000, split.trainTokens());
    assertEquals(1_000, split.validTokens());
  }

  @Test
  void jsonlDocumentsOfVeryDifferentSizesHoldOutTheRequestedShare() throws IOException {
    SplittableRandom random = new SplittableRandom(3);
    List<String> docs = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      docs.add(sentence(random, 10 + (int) Math.pow(20_000, random.nextDouble())));
    }
    docs.set(7, sentence(random, 300_000)); // one document about as big as all the others together

    TokenizedCorpus.Split split = build(jsonl("mixed.jsonl", docs), 0.1).split();

    assertEquals(CorpusSplit.Rule.UNITS, split.rule());
    assertEquals(0.1, split.realisedFraction(), 0.02, split.describe());
  }

  @Test
  void aHandfulOfShortDocumentsCutsTheStream() throws IOException {
    TokenizedCorpus.Split split = build(jsonl("few.jsonl", documents(5)), 0.2).split();

    assertEquals(CorpusSplit.Rule.TAIL, split.rule(), "5 units are too few to draw from");
    assertEquals(0.2, split.realisedFraction(), 0.05, split.describe());
  }

  private static long endOfTexts(TokenizedCorpus corpus) {
    return Arrays.stream(all(corpus.train())).filter(id -> id == ByteTokenizer.EOS).count()
        + Arrays.stream(all(corpus.validation())).filter(id -> id == ByteTokenizer.EOS).count();
  }

  /** ByteTokenizer that runs {@code meddle} once, while tokenizing the first document. */
  private static Tokenizer meddling(Runnable meddle) {
    ByteTokenizer bytes = new ByteTokenizer();
    return new Tokenizer() {
      private boolean done;

      @Override
      public int[] encode(String text) {
        if (!done) {
          done = true;
          meddle.run();
        }
        return bytes.encode(text);
      }

      @Override
      public String decode(int[] ids) {
        return bytes.decode(ids);
      }

      @Override
      public int vocabSize() {
        return bytes.vocabSize();
      }

      @Override
      public int eosId() {
        return bytes.eosId();
      }
    };
  }

  @Test
  void aCorpusTruncatedWhileItIsTokenizedIsRefusedAndNotCached() throws IOException {
    Path file = jsonl("data.jsonl", documents(60));
    long size = Files.size(file);
    Tokenizer tokenizer = meddling(() -> {
      try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
          java.nio.file.StandardOpenOption.WRITE)) {
        ch.truncate(size / 2);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
    CalmException e = assertThrows(CalmException.class, () -> TokenizedCorpus.build(
        new TokenizedCorpus.Config(List.of(file), tokenizer, "bytes-v1", 5, 0.2, cache()), ProgressListener.NONE));
    assertEquals("the corpus file " + file + " changed while it was being tokenized (" + size + " bytes, now "
        + size / 2 + "); nothing was cached. Start again once it is complete", e.getMessage());
    assertFalse(Files.exists(cache().resolve("manifest.json")), "no cache under the old file's key");
  }

  @Test
  void aCorpusDeletedWhileItIsTokenizedIsRefusedAndNotCached() throws IOException {
    Path file = jsonl("data.jsonl", documents(60));
    Tokenizer tokenizer = meddling(() -> {
      try {
        Files.delete(file);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
    CalmException e = assertThrows(CalmException.class, () -> TokenizedCorpus.build(
        new TokenizedCorpus.Config(List.of(file), tokenizer, "bytes-v1", 5, 0.2, cache()), ProgressListener.NONE));
    assertTrue(e.getMessage().startsWith("the corpus file " + file + " was deleted while it was being tokenized"),
        e.getMessage());
    assertEquals(2, e.exitCode());
    assertFalse(Files.exists(cache().resolve("manifest.json")));
  }

  @Test
  void aCacheThatCannotBeWrittenIsAStorageErrorNamingTheFolderAndLeavesNothing() throws IOException {
    Path file = jsonl("data.jsonl", documents(60));
    // The cache folder vanishes while the corpus is tokenized (as a disk that fills, it fails a write
    // half-way): one line naming the cache folder, exit 1 (not the person's input), nothing cached.
    Tokenizer tokenizer = meddling(() -> {
      try (var walk = Files.walk(cache())) {
        for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
    CalmException e = assertThrows(CalmException.class, () -> TokenizedCorpus.build(
        new TokenizedCorpus.Config(List.of(file), tokenizer, "bytes-v1", 5, 0.2, cache()), ProgressListener.NONE));
    assertTrue(e.getMessage().startsWith("cannot write the token cache in " + cache() + ": "), e.getMessage());
    assertTrue(e.getMessage().endsWith("nothing was cached. Free some space there (or make the folder writable) and run again"),
        e.getMessage());
    assertEquals(1, e.exitCode());
    assertFalse(Files.exists(cache().resolve("manifest.json")));
    assertFalse(Files.exists(cache().resolve(TokenizedCorpus.TRAIN_FILE)));
  }
}
