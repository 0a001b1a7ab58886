package org.calmworkbench.backend.data;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.StorageException;
import org.calmworkbench.backend.io.AtomicFiles;
import org.calmworkbench.backend.tokenizer.Tokenizer;

/**
 * A corpus tokenized once, split into train and validation, and cached on disk.
 *
 * <p>The cache folder holds {@code train.bin} and {@code valid.bin} (int32 little-endian ids, see
 * {@link TokenIds}) and {@code manifest.json}, whose {@code key} is a SHA-256 over: the format
 * version, every input file's absolute path, size and last-modified time, the tokenizer
 * fingerprint, the seed and the validation fraction. {@link #build} loads the cache when the key
 * matches and otherwise rebuilds it; a folder holds one cache, so a changed setting replaces it.
 * The manifest is deleted first and written last, so an interrupted build is never mistaken for a
 * finished one. One build at a time per cache folder.
 *
 * <p>Building: every document is tokenized once into a temp file next to the cache; documents longer
 * than {@link CorpusSplit#pieceTokens} tokens are cut into pieces, and the {@link CorpusSplit split}
 * copies each unit's ids into its split. Within a split units are joined with the tokenizer's
 * end-of-text id (if it has one), except where a unit directly continues the one written just
 * before it (the next piece of a document, or see {@link Document#continuesPrevious()}). The
 * manifest records which split rule was used, the realised shares and how each file was read.
 */
public final class TokenizedCorpus {
  /** Bump when reading, splitting or file layout changes, so old caches are rebuilt. */
  static final int FORMAT_VERSION = 2;

  public static final String MANIFEST_FILE = "manifest.json";
  public static final String TRAIN_FILE = "train.bin";
  public static final String VALIDATION_FILE = "valid.bin";

  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

  /**
   * What to tokenize and how.
   *
   * @param paths corpus files and folders (see {@link CorpusReader})
   * @param tokenizer the tokenizer to apply
   * @param tokenizerFingerprint identifies the tokenizer for the cache key, e.g. the SHA-256 of its
   *     {@code tokenizer.json}; a different tokenizer must have a different fingerprint
   * @param seed seed of the train/validation split
   * @param validationFraction share of documents held out, in (0, 1)
   * @param cacheDir folder for the token files, inside the project folder
   */
  public record Config(
      List<Path> paths, Tokenizer tokenizer, String tokenizerFingerprint, long seed, double validationFraction, Path cacheDir) {
    public Config {
      paths = List.copyOf(paths);
      Objects.requireNonNull(tokenizer, "tokenizer");
      Objects.requireNonNull(tokenizerFingerprint, "tokenizerFingerprint");
      Objects.requireNonNull(cacheDir, "cacheDir");
      CorpusSplit.checkFraction(validationFraction);
    }

    /** With the default validation fraction of {@value CorpusSplit#DEFAULT_VALIDATION_FRACTION}. */
    public Config(List<Path> paths, Tokenizer tokenizer, String tokenizerFingerprint, long seed, Path cacheDir) {
      this(paths, tokenizer, tokenizerFingerprint, seed, CorpusSplit.DEFAULT_VALIDATION_FRACTION, cacheDir);
    }
  }

  /** An input file as the cache key sees it. */
  record FileEntry(String path, long size, long lastModified) {}

  /** The manifest.json of a cache folder. */
  record Manifest(
      int formatVersion,
      String key,
      String tokenizerFingerprint,
      long seed,
      double validationFraction,
      List<FileEntry> files,
      int vocabSize,
      int eosId,
      long documents,
      long chars,
      long tokens,
      int distinctTokens,
      double unigramEntropyBits,
      long trainDocuments,
      long validationDocuments,
      long trainTokens,
      long validationTokens,
      String splitRule,
      long pieceTokens,
      Map<String, String> readingRules,
      List<String> warnings) {}

  private final Config config;
  private final Manifest manifest;
  private final TokenIds train;
  private final TokenIds validation;
  private final boolean fromCache;

  private TokenizedCorpus(Config config, Manifest manifest, TokenIds train, TokenIds validation, boolean fromCache) {
    this.config = config;
    this.manifest = manifest;
    this.train = train;
    this.validation = validation;
    this.fromCache = fromCache;
  }

  /** Loads the cache for {@code config}, or tokenizes the corpus and writes it. */
  public static TokenizedCorpus build(Config config, ProgressListener progress) throws IOException {
    CorpusReader reader = CorpusReader.of(config.paths());
    List<FileEntry> files = new ArrayList<>();
    for (CorpusReader.CorpusFile f : reader.files()) {
      Path abs = f.path().toAbsolutePath().normalize();
      files.add(new FileEntry(abs.toString(), Files.size(abs), Files.getLastModifiedTime(abs).toMillis()));
    }
    String key = cacheKey(files, config);
    Path dir = config.cacheDir();
    Optional<Manifest> cached = readManifest(dir, key);
    if (cached.isPresent()) {
      progress.onProgress(reader.totalBytes(), reader.totalBytes());
      return open(config, cached.get(), true);
    }

    try {
      return tokenizeInto(config, reader, files, key, dir, progress);
    } catch (IOException e) {
      if (e instanceof java.nio.file.FileSystemException f && f.getFile() != null
          && files.stream().anyMatch(x -> Path.of(x.path()).equals(Path.of(f.getFile()).toAbsolutePath().normalize()))) {
        throw e; // the corpus itself, not the cache
      }
      for (String name : new String[] {TRAIN_FILE, VALIDATION_FILE}) {
        try {
          Files.deleteIfExists(dir.resolve(name)); // no manifest names them: never read, only space taken
        } catch (IOException ignored) {
          // the folder is gone or read-only: nothing of ours to remove
        }
      }
      throw new StorageException("cannot write the token cache in " + dir + ": " + StorageException.reason(e)
          + "; nothing was cached. Free some space there (or make the folder writable) and run again", e);
    }
  }

  /** Tokenizes and splits the corpus into the cache folder {@code dir}; see {@link #build}. */
  private static TokenizedCorpus tokenizeInto(Config config, CorpusReader reader, List<FileEntry> files, String key,
      Path dir, ProgressListener progress) throws IOException {
    Files.createDirectories(dir);
    Files.deleteIfExists(dir.resolve(MANIFEST_FILE));
    Path tokensTmp = Files.createTempFile(dir, ".tokens.", ".tmp");
    try {
      // Pass 1: tokenize every document once, in corpus order, into one temp stream.
      Tokenizer tokenizer = config.tokenizer();
      Units index = new Units(); // one unit per document, in corpus order
      long[] next = {0}; // where the next document's ids start in the temp file
      CorpusStats.Counter counter = new CorpusStats.Counter(tokenizer.vocabSize());
      CorpusReader.ReadResult read;
      try (IntWriter out = new IntWriter(Files.newOutputStream(tokensTmp))) {
        read =
            reader.read(
                doc -> {
                  int[] ids = tokenizer.encode(doc.text());
                  counter.add(ids);
                  index.add(next[0], ids.length, doc.continuesPrevious(), index.size());
                  next[0] += ids.length;
                  out.write(ids);
                },
                progress);
      }
      requireUnchanged(files);
      CorpusStats stats = counter.stats(read);
      if (stats.tokens() == 0) {
        throw new CalmException("corpus is empty: no text in " + describe(config.paths()));
      }

      // Pass 2: cut long documents into pieces, choose the validation units, copy each unit's ids.
      int eos = tokenizer.eosId();
      double fraction = config.validationFraction();
      long pieceTokens = CorpusSplit.pieceTokens(stats.tokens(), fraction);
      Units units = index.pieces(index.size() == 1 ? Long.MAX_VALUE : pieceTokens);
      Optional<boolean[]> drawn = index.size() == 1 ? Optional.empty()
          : CorpusSplit.validationUnits(units.lengths(), config.seed(), fraction);
      CorpusSplit.Rule rule = drawn.isPresent() ? CorpusSplit.Rule.UNITS : CorpusSplit.Rule.TAIL;
      boolean[] isValidation;
      if (drawn.isPresent()) {
        isValidation = drawn.get();
      } else {
        units = units.cutAt(stats.tokens() - CorpusSplit.validationTokens(stats.tokens(), fraction));
        isValidation = units.fromCut();
      }
      long[] counts; // train docs, validation docs, train tokens, validation tokens
      try (FileChannel tokens = FileChannel.open(tokensTmp, StandardOpenOption.READ)) {
        long[] train = writeSplit(dir.resolve(TRAIN_FILE), tokens, units, isValidation, false, eos);
        long[] valid = writeSplit(dir.resolve(VALIDATION_FILE), tokens, units, isValidation, true, eos);
        counts = new long[] {train[0], valid[0], train[1], valid[1]};
      }

      Manifest manifest =
          new Manifest(
              FORMAT_VERSION, key, config.tokenizerFingerprint(), config.seed(), config.validationFraction(), files,
              tokenizer.vocabSize(), eos, stats.documents(), stats.chars(), stats.tokens(), stats.distinctTokens(),
              stats.unigramEntropyBits(), counts[0], counts[1], counts[2], counts[3], rule.name(), pieceTokens,
              read.rules(), stats.warnings());
      AtomicFiles.writeString(dir.resolve(MANIFEST_FILE), GSON.toJson(manifest));
      return open(config, manifest, false);
    } finally {
      Files.deleteIfExists(tokensTmp);
    }
  }

  /**
   * Refuses a corpus that changed while it was tokenized (truncated, rewritten or deleted by
   * another program): its ids would be a mix of two versions, and cached under the first one's
   * key (size and time) they would be taken for the file as it was.
   */
  private static void requireUnchanged(List<FileEntry> files) {
    for (FileEntry f : files) {
      Path p = Path.of(f.path());
      long size;
      long modified;
      try {
        size = Files.size(p);
        modified = Files.getLastModifiedTime(p).toMillis();
      } catch (IOException e) {
        throw new CalmException("the corpus file " + p + " was deleted while it was being tokenized; nothing was"
            + " cached. Restore it and start again", e);
      }
      if (size != f.size() || modified != f.lastModified()) {
        throw new CalmException("the corpus file " + p + " changed while it was being tokenized (" + f.size()
            + " bytes, now " + size + "); nothing was cached. Start again once it is complete");
      }
    }
  }

  public TokenIds train() {
    return train;
  }

  public TokenIds validation() {
    return validation;
  }

  /** True if the token files came from an earlier build with the same key (nothing was tokenized). */
  public boolean fromCache() {
    return fromCache;
  }

  public String cacheKey() {
    return manifest.key();
  }

  /** How the held-out set was made and what it came to; see {@link Split}. */
  public Split split() {
    return new Split(CorpusSplit.Rule.valueOf(manifest.splitRule()), manifest.validationFraction(),
        manifest.trainTokens(), manifest.validationTokens(), manifest.trainDocuments(), manifest.validationDocuments(),
        manifest.readingRules());
  }

  /**
   * The realised split, for the training commands and pages to report.
   *
   * @param rule whether units were drawn or the stream's end was cut
   * @param requestedFraction the validation share asked for
   * @param trainTokens ids in the training split (end-of-text ids included)
   * @param validTokens ids in the validation split
   * @param trainDocuments documents with at least one token in the training split
   * @param validDocuments documents with at least one token in the validation split (a document cut
   *     into pieces can count on both sides)
   * @param readingRules per file, how its text was cut into documents
   */
  public record Split(CorpusSplit.Rule rule, double requestedFraction, long trainTokens, long validTokens,
      long trainDocuments, long validDocuments, Map<String, String> readingRules) {
    /** Share of tokens held out. */
    public double realisedFraction() {
      long total = trainTokens + validTokens;
      return total == 0 ? 0 : (double) validTokens / total;
    }

    /** A warning when the realised share is more than {@link CorpusSplit#TOLERANCE} off the request. */
    public Optional<String> warning() {
      double off = Math.abs(realisedFraction() - requestedFraction) / requestedFraction;
      if (off <= CorpusSplit.TOLERANCE) {
        return Optional.empty();
      }
      return Optional.of(String.format(java.util.Locale.ROOT,
          "the validation split holds %.1f%% of the tokens, not the %.1f%% asked for (%d train / %d validation tokens)",
          100 * realisedFraction(), 100 * requestedFraction, trainTokens, validTokens));
    }

    /** One line, e.g. "split: 90,112 train tokens (3,350 documents), 10,004 validation tokens (374 documents): 10.0% held out (asked 10.0%), units drawn by the seed". */
    public String describe() {
      return String.format(java.util.Locale.ROOT,
          "split: %,d train tokens (%,d documents), %,d validation tokens (%,d documents): %.1f%% held out (asked %.1f%%), %s",
          trainTokens, trainDocuments, validTokens, validDocuments, 100 * realisedFraction(), 100 * requestedFraction,
          rule.description());
    }
  }

  /** Documents assigned to each split; with a single document both are 1 (its stream is cut). */
  public long trainDocuments() {
    return manifest.trainDocuments();
  }

  public long validationDocuments() {
    return manifest.validationDocuments();
  }

  /** Invalid-UTF-8 and similar warnings from tokenizing, kept in the cache so a hit shows them too. */
  public List<String> warnings() {
    return manifest.warnings();
  }

  public CorpusStats stats() {
    return new CorpusStats(manifest.documents(), manifest.chars(), manifest.tokens(), manifest.distinctTokens(),
        manifest.unigramEntropyBits(), manifest.warnings());
  }

  /**
   * Fails unless both splits hold at least one window of {@code windowTokens} tokens, rounded up to
   * whole patches of {@code patchSize} (and at least one patch).
   */
  public void requireAtLeast(int windowTokens, int patchSize) {
    if (patchSize <= 0 || windowTokens < 0) {
      throw new IllegalArgumentException("patchSize must be positive and windowTokens >= 0");
    }
    long needed = Math.max(1, (windowTokens + (long) patchSize - 1) / patchSize) * patchSize;
    String need = "at least " + needed + " are needed (one window of " + windowTokens + " tokens in whole patches of K="
        + patchSize + ")";
    if (train.size() < needed) {
      throw new CalmException("corpus " + describe(config.paths()) + " is too small: the training split has "
          + train.size() + " tokens, but " + need + "; add text or use a shorter context");
    }
    if (validation.size() < needed) {
      throw new CalmException("corpus " + describe(config.paths()) + " is too small: the validation split has "
          + validation.size() + " tokens, but " + need + "; add text, raise the validation fraction or use a shorter context");
    }
  }

  // ---- cache files ----

  static String cacheKey(List<FileEntry> files, Config config) {
    StringBuilder s = new StringBuilder();
    s.append("calm-token-cache\t").append(FORMAT_VERSION).append('\n');
    s.append("maxDocumentChars\t").append(CorpusReader.MAX_DOCUMENT_CHARS).append('\n');
    for (FileEntry f : files) {
      s.append("file\t").append(f.path()).append('\t').append(f.size()).append('\t').append(f.lastModified()).append('\n');
    }
    s.append("tokenizer\t").append(config.tokenizerFingerprint()).append('\n');
    s.append("seed\t").append(config.seed()).append('\n');
    s.append("validationFraction\t").append(Double.toString(config.validationFraction())).append('\n');
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(s.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** The manifest in {@code dir} if it is complete and has {@code key}; anything else is a miss. */
  private static Optional<Manifest> readManifest(Path dir, String key) {
    try {
      Path file = dir.resolve(MANIFEST_FILE);
      if (!Files.isRegularFile(file)) {
        return Optional.empty();
      }
      Manifest m = GSON.fromJson(Files.readString(file), Manifest.class);
      boolean complete =
          m != null
              && m.formatVersion() == FORMAT_VERSION
              && key.equals(m.key())
              && Files.size(dir.resolve(TRAIN_FILE)) == m.trainTokens() * Integer.BYTES
              && Files.size(dir.resolve(VALIDATION_FILE)) == m.validationTokens() * Integer.BYTES;
      return complete ? Optional.of(m) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // unreadable or corrupt: rebuild
    }
  }

  private static TokenizedCorpus open(Config config, Manifest m, boolean fromCache) throws IOException {
    Path dir = config.cacheDir();
    return new TokenizedCorpus(
        config, m, TokenIds.load(dir.resolve(TRAIN_FILE)), TokenIds.load(dir.resolve(VALIDATION_FILE)), fromCache);
  }

  /** Writes the units of one split; returns {documents with tokens in it, tokens written}. */
  private static long[] writeSplit(
      Path target, FileChannel tokens, Units units, boolean[] isValidation, boolean validation, int eos)
      throws IOException {
    long[] written = new long[2];
    AtomicFiles.write(
        target,
        out -> {
          int previous = -1; // index of the last unit written to this split
          int lastDocument = -1;
          for (int i = 0; i < units.size(); i++) {
            if (isValidation[i] != validation || units.length[i] == 0) {
              continue;
            }
            boolean joins = units.continuesPrevious[i] && previous == i - 1;
            if (previous >= 0 && !joins && eos >= 0) {
              writeIntLe(out, eos);
              written[1]++;
            }
            copyRange(tokens, units.start[i], units.length[i], out);
            if (units.document[i] != lastDocument) {
              written[0]++;
              lastDocument = units.document[i];
            }
            written[1] += units.length[i];
            previous = i;
          }
        });
    return written;
  }

  /** Copies ids {@code [from, from + count)} of a token file to {@code out}. */
  private static void copyRange(FileChannel tokens, long from, long count, OutputStream out) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(1 << 16);
    long pos = from * Integer.BYTES;
    long end = (from + count) * Integer.BYTES;
    while (pos < end) {
      buf.clear().limit((int) Math.min(buf.capacity(), end - pos));
      int n = tokens.read(buf, pos);
      if (n < 0) {
        throw new IOException("token temp file ended early at byte " + pos);
      }
      out.write(buf.array(), 0, n);
      pos += n;
    }
  }

  private static void writeIntLe(OutputStream out, int v) throws IOException {
    out.write(v);
    out.write(v >>> 8);
    out.write(v >>> 16);
    out.write(v >>> 24);
  }

  private static String describe(List<Path> paths) {
    return paths.stream().map(Path::toString).collect(Collectors.joining(", "));
  }

  /**
   * Split units: pieces of the temp token file, in corpus order, each from one document (at first
   * one unit per document, then cut by {@link #pieces}).
   */
  static final class Units {
    long[] start = new long[1024];
    int[] length = new int[1024];
    boolean[] continuesPrevious = new boolean[1024];
    int[] document = new int[1024];
    private int size;
    private int cut = -1; // first unit of the tail after cutAt

    void add(long from, int tokens, boolean continues, int doc) {
      if (size == start.length) {
        start = Arrays.copyOf(start, size * 2);
        length = Arrays.copyOf(length, size * 2);
        continuesPrevious = Arrays.copyOf(continuesPrevious, size * 2);
        document = Arrays.copyOf(document, size * 2);
      }
      start[size] = from;
      length[size] = tokens;
      continuesPrevious[size] = continues;
      document[size] = doc;
      size++;
    }

    int size() {
      return size;
    }

    long[] lengths() {
      long[] out = new long[size];
      for (int i = 0; i < size; i++) {
        out[i] = length[i];
      }
      return out;
    }

    /** These units cut into consecutive pieces of at most {@code maxTokens}; empty units are dropped. */
    Units pieces(long maxTokens) {
      Units u = new Units();
      for (int i = 0; i < size; i++) {
        for (long off = 0; off < length[i]; ) {
          int len = (int) Math.min(maxTokens, length[i] - off);
          u.add(start[i] + off, len, off > 0 || continuesPrevious[i], document[i]);
          off += len;
        }
      }
      return u;
    }

    /** These units with the one that holds token {@code position} (of the joined units) cut there. */
    Units cutAt(long position) {
      Units u = new Units();
      long seen = 0;
      for (int i = 0; i < size; i++) {
        long before = position - seen;
        if (u.cut < 0 && before <= 0) {
          u.cut = u.size;
        }
        if (u.cut < 0 && before < length[i]) {
          u.add(start[i], (int) before, continuesPrevious[i], document[i]);
          u.cut = u.size;
          u.add(start[i] + before, (int) (length[i] - before), true, document[i]);
        } else {
          u.add(start[i], length[i], continuesPrevious[i], document[i]);
        }
        seen += length[i];
      }
      if (u.cut < 0) {
        u.cut = u.size;
      }
      return u;
    }

    /** After {@link #cutAt}: true for the units from the cut on. */
    boolean[] fromCut() {
      boolean[] v = new boolean[size];
      for (int i = Math.max(0, cut); i < size; i++) {
        v[i] = true;
      }
      return v;
    }
  }

  /** Buffered int32 little-endian output. */
  private static final class IntWriter implements AutoCloseable {
    private final OutputStream out;
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

    IntWriter(OutputStream out) {
      this.out = out;
    }

    void write(int[] ids) throws IOException {
      for (int id : ids) {
        if (!buf.hasRemaining()) {
          drain();
        }
        buf.putInt(id);
      }
    }

    private void drain() throws IOException {
      out.write(buf.array(), 0, buf.position());
      buf.clear();
    }

    @Override
    public void close() throws IOException {
      drain();
      out.close();
    }
  }
}
