package org.calmworkbench.backend.workflow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.calmworkbench.backend.data.DataSplit;
import org.calmworkbench.backend.data.ProgressListener;
import org.calmworkbench.backend.data.TokenIds;
import org.calmworkbench.backend.data.TokenizedCorpus;
import org.calmworkbench.backend.tokenizer.Tokenizer;

/**
 * Where token caches live, and the glue from corpus paths to token ids.
 *
 * <p>Decision: a corpus inside a project (a folder with {@code project.json} above it) caches its
 * token ids in {@code PROJECT/.calm-cache/tokens/KEY}; any other corpus caches in {@code
 * ~/.cache/calm-workbench/tokens/KEY} (or under {@code $CALM_CACHE_DIR}), and so does a project's
 * corpus when the project is on a read-only medium and its own cache does not hold the entry. KEY
 * hashes the tokenizer, the corpus paths and the split, so different tokenizers never evict each other.
 */
public final class Corpora {
  private Corpora() {}

  public static final long DEFAULT_SPLIT_SEED = DataSplit.DEFAULT_SEED;

  /**
   * What every training workflow does with its corpus: tokenize (or load the cache) with stage
   * messages, pass on reading warnings, report the realised split (and warn when its share is far
   * from the request), and record the split in the run folder for the evaluation commands.
   */
  public static TokenizedCorpus forTraining(List<Path> paths, Tokenizer tokenizer, byte[] tokenizerJson, DataSplit split,
      Path runDir, AeTraining.Listener listener) throws IOException {
    listener.onStage("tokenizing the corpus", 0);
    TokenizedCorpus corpus = tokenize(paths, tokenizer, tokenizerJson, split,
        (done, total) -> listener.onStage("tokenizing the corpus", total == 0 ? 1 : (double) done / total));
    corpus.warnings().forEach(listener::onWarning);
    TokenizedCorpus.Split realised = corpus.split();
    listener.onSplit(realised);
    realised.warning().ifPresent(listener::onWarning);
    split.write(runDir, paths, realised);
    return corpus;
  }

  /** {@code paths} tokenized and split as a run with {@code split} did; see {@link DataSplit#of}. */
  public static TokenizedCorpus tokenize(List<Path> paths, Tokenizer tokenizer, byte[] tokenizerJson, DataSplit split,
      ProgressListener progress) throws IOException {
    String fingerprint = sha256(tokenizerJson);
    StringBuilder id = new StringBuilder(fingerprint);
    for (Path p : paths) {
      id.append('\n').append(p.toAbsolutePath().normalize());
    }
    id.append('\n').append(split.seed()).append('\n').append(split.validationFraction());
    String key = sha256(id.toString().getBytes()).substring(0, 16);
    Path cache = cacheRoot(paths.get(0)).resolve("tokens").resolve(key);
    if (!Files.isRegularFile(cache.resolve(TokenizedCorpus.MANIFEST_FILE)) && !writable(cache)) {
      cache = userCacheDir().resolve("tokens").resolve(key); // a project on a read-only medium
    }
    return TokenizedCorpus.build(
        new TokenizedCorpus.Config(paths, tokenizer, fingerprint, split.seed(), split.validationFraction(), cache), progress);
  }

  /** With the default validation fraction and the given seed. */
  public static TokenizedCorpus tokenize(List<Path> paths, Tokenizer tokenizer, byte[] tokenizerJson, long splitSeed,
      ProgressListener progress) throws IOException {
    return tokenize(paths, tokenizer, tokenizerJson, new DataSplit(splitSeed, DataSplit.DEFAULT.validationFraction()),
        progress);
  }

  static Path cacheRoot(Path firstCorpusPath) {
    Path abs = firstCorpusPath.toAbsolutePath().normalize();
    for (Path p = abs; p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("project.json"))) {
        return p.resolve(".calm-cache");
      }
    }
    return userCacheDir();
  }

  /** Whether {@code dir} can be created or written: its nearest existing folder is writable (false on a read-only medium). */
  static boolean writable(Path dir) {
    for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.exists(p)) {
        return Files.isDirectory(p) && Files.isWritable(p);
      }
    }
    return false;
  }

  /** {@code $CALM_CACHE_DIR}, else {@code ~/.cache/calm-workbench}. */
  public static Path userCacheDir() {
    String env = System.getenv("CALM_CACHE_DIR");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "calm-workbench");
  }

  /**
   * Up to {@code maxChunks} consecutive chunks of K ids from the start of {@code parts} read back to
   * back, as longs [count * K]; only the tokens needed are read.
   */
  public static long[] leadingChunks(List<TokenIds> parts, int k, int maxChunks) {
    long total = 0;
    for (TokenIds p : parts) {
      total += p.size();
    }
    long n = Math.min(total / k, maxChunks);
    long[] out = new long[(int) (n * k)];
    int i = 0;
    for (TokenIds p : parts) { // copy, not get: it checks that a mapped token file is still whole
      int[] ids = new int[(int) Math.min(p.size(), out.length - i)];
      p.copy(0, ids, 0, ids.length);
      for (int id : ids) {
        out[i++] = id;
      }
    }
    return out;
  }

  public static long[] leadingChunks(TokenIds ids, int k, int maxChunks) {
    return leadingChunks(List.of(ids), k, maxChunks);
  }

  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
