package org.calmworkbench.backend.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.calmworkbench.backend.CalmException;

/**
 * Streams the documents of a corpus: plain-text files, JSONL files and folders of them.
 *
 * <p><b>Which files.</b> Each path is a file or a folder. A folder is walked recursively; hidden
 * files and folders (name starting with {@code .}, or hidden to the OS) are skipped, and only the
 * extensions listed in {@link CorpusFormat} are read. Files are read in order of their path
 * relative to the folder ({@code /}-separated, compared as strings), so every OS reads them in the
 * same order and the split is reproducible. Symbolic links are followed (a link to a data folder
 * inside a corpus folder is read), except a link back to a folder being walked (a loop) and a link
 * that leads nowhere, which are skipped; a file reached twice (through a link, or named twice) is
 * read once, at its first place, so no text is both trained on and held out.
 *
 * <p><b>What a document is.</b> In JSONL, each non-blank line's {@code "text"} field (empty texts
 * are skipped). In plain text, one of two rules, chosen per file by a first pass over it ({@link
 * TextRule#of}) and reported in {@link ReadResult#rules()}:
 *
 * <ul>
 *   <li>{@link TextRule#PARAGRAPHS}: a run of lines up to and including the blank lines that follow
 *       it, when the file has blank lines between paragraphs and its paragraphs average at most
 *       {@link TextRule#MAX_LINES_PER_PARAGRAPH} lines (prose, books, WikiText);
 *   <li>{@link TextRule#LINES}: each non-blank line (with any blank lines after it), otherwise: a
 *       file with one document per line and no blank lines, or only a few blank lines between
 *       long runs of lines. (Read as paragraphs, such a file used to become one or two giant
 *       documents, and the split then held out half of it or trained on a sliver.)
 * </ul>
 *
 * Either way the units give the train/validation split many small pieces to choose from even for
 * a single book-sized file, and consecutive units of a file are marked {@link
 * Document#continuesPrevious()} so the token stream still joins them without an end-of-text id.
 * Documents are cut at {@link #MAX_DOCUMENT_CHARS}; the rest continues in the next document.
 * Concatenating a text file's documents gives back the file (minus a byte order mark and a
 * whitespace-only file).
 *
 * <p><b>Streaming.</b> Text files are never loaded whole: a reader with fixed buffers yields one
 * document at a time. A JSONL line is held in memory while it is parsed (JSONL lines are documents,
 * not whole corpora).
 *
 * <p><b>Bad input.</b> A missing path, a folder without corpus files, a file with NUL bytes in its
 * first 8 KB (binary, or UTF-16) and a malformed JSONL line are {@link CalmException}s naming the
 * file (and line). Invalid UTF-8 is replaced with U+FFFD and reported as a warning per file.
 */
public final class CorpusReader {
  /** Longest document, in chars (UTF-16 units); a longer paragraph or JSONL text is cut here. */
  public static final int MAX_DOCUMENT_CHARS = 1 << 20;

  /** Bytes scanned for NUL at the start of every file to refuse binary files. */
  static final int BINARY_CHECK_BYTES = 8192;

  /** Progress is reported after a document once this many more bytes were read, and after each file. */
  private static final long PROGRESS_STEP_BYTES = 1 << 20;

  /** Receives documents in corpus order; may throw to abort the pass. */
  @FunctionalInterface
  public interface DocumentSink {
    void accept(Document document) throws IOException;
  }

  /** A file to read and how. */
  public record CorpusFile(Path path, CorpusFormat format, long size) {}

  /**
   * What a pass over the corpus saw.
   *
   * @param documents documents passed to the sink
   * @param chars chars in those documents
   * @param warnings one line per problem that did not stop the pass, e.g. {@code "a.txt: 3
   *     invalid UTF-8 sequences replaced"}
   */
  public record ReadResult(long documents, long chars, List<String> warnings, Map<String, String> rules) {
    public ReadResult {
      warnings = List.copyOf(warnings);
      rules = Collections.unmodifiableMap(new LinkedHashMap<>(rules));
    }

    /** One line saying which rule made the documents of how many files, e.g. "2 files one document per line". */
    public String rulesSummary() {
      Map<String, Integer> count = new LinkedHashMap<>();
      rules.values().forEach(r -> count.merge(r, 1, Integer::sum));
      List<String> parts = new ArrayList<>();
      count.forEach((rule, n) -> parts.add(n + (n == 1 ? " file: " : " files: ") + rule));
      return String.join("; ", parts);
    }
  }

  /** How a plain-text file is cut into documents (see the class comment). */
  public enum TextRule {
    PARAGRAPHS("one document per paragraph (blank-line separated)"),
    LINES("one document per line (no blank lines between paragraphs)");

    /** Above this many non-blank lines per paragraph on average, a file is read line by line. */
    public static final int MAX_LINES_PER_PARAGRAPH = 100;

    private final String description;

    TextRule(String description) {
      this.description = description;
    }

    public String description() {
      return description;
    }

    /**
     * Scans {@code file} once (bytes, no decoding): PARAGRAPHS when it has at least one blank line
     * between non-blank lines and at most {@link #MAX_LINES_PER_PARAGRAPH} non-blank lines per
     * paragraph on average, else LINES. A line is blank when it holds only spaces, tabs and CRs.
     */
    public static TextRule of(Path file) throws IOException {
      long nonBlankLines = 0;
      long breaks = 0; // blank-line runs that have non-blank lines before and after them
      boolean lineHasContent = false;
      boolean sawContent = false;
      boolean blankSinceContent = false;
      try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
        int c;
        while (true) {
          c = in.read();
          if (c == '\n' || c < 0) {
            if (lineHasContent) {
              if (blankSinceContent) {
                breaks++;
              }
              nonBlankLines++;
              sawContent = true;
              blankSinceContent = false;
            } else if (sawContent && c >= 0) {
              blankSinceContent = true;
            }
            lineHasContent = false;
            if (c < 0) {
              break;
            }
          } else if (c != ' ' && c != '\t' && c != '\r') {
            lineHasContent = true;
          }
        }
      }
      boolean paragraphs = breaks > 0 && nonBlankLines <= MAX_LINES_PER_PARAGRAPH * (breaks + 1);
      return paragraphs ? PARAGRAPHS : LINES;
    }
  }

  private final List<CorpusFile> files;
  private final int maxDocumentChars;

  private CorpusReader(List<CorpusFile> files, int maxDocumentChars) {
    this.files = List.copyOf(files);
    this.maxDocumentChars = maxDocumentChars;
  }

  /** A reader over {@code paths}; resolves folders now, so a missing path fails here. */
  public static CorpusReader of(List<Path> paths) {
    return of(paths, MAX_DOCUMENT_CHARS);
  }

  /** As {@link #of(List)} with another document cap (tests use a small one). */
  static CorpusReader of(List<Path> paths, int maxDocumentChars) {
    if (paths.isEmpty()) {
      throw new CalmException("no corpus files given");
    }
    List<CorpusFile> files = new ArrayList<>();
    Set<Path> seen = new HashSet<>();
    for (Path p : paths) {
      for (CorpusFile f : resolve(p)) {
        if (seen.add(realPath(f.path()))) { // a file reached twice (a link, a path given twice) is read once
          files.add(f);
        }
      }
    }
    return new CorpusReader(files, maxDocumentChars);
  }

  private static Path realPath(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      return p.toAbsolutePath().normalize();
    }
  }

  /** The files in reading order. */
  public List<CorpusFile> files() {
    return files;
  }

  /** Sum of the file sizes, the total of the progress reports. */
  public long totalBytes() {
    return files.stream().mapToLong(CorpusFile::size).sum();
  }

  /** Reads every file in order, passing each document to {@code sink}. */
  public ReadResult read(DocumentSink sink, ProgressListener progress) throws IOException {
    long total = totalBytes();
    Counting counting = new Counting(sink);
    List<String> warnings = new ArrayList<>();
    Map<String, String> rules = new LinkedHashMap<>();
    long doneBefore = 0;
    for (CorpusFile file : files) {
      refuseBinary(file.path());
      long base = doneBefore;
      try (Utf8Reader in = new Utf8Reader(Files.newInputStream(file.path()))) {
        long[] lastReport = {base};
        DocumentSink reporting =
            doc -> {
              counting.accept(doc);
              long done = Math.min(total, base + in.bytesRead());
              if (done - lastReport[0] >= PROGRESS_STEP_BYTES) {
                lastReport[0] = done;
                progress.onProgress(done, total);
              }
            };
        switch (file.format()) {
          case TEXT -> {
            TextRule rule = TextRule.of(file.path());
            rules.put(file.path().toString(), rule.description());
            readText(file.path(), in, reporting, rule == TextRule.LINES);
          }
          case JSONL -> {
            rules.put(file.path().toString(), "one document per JSONL line");
            readJsonl(file.path(), in, reporting);
          }
        }
        if (in.invalidSequences() > 0) {
          warnings.add(file.path() + ": " + in.invalidSequences() + " invalid UTF-8 sequence"
              + (in.invalidSequences() == 1 ? "" : "s") + " replaced");
        }
      }
      doneBefore += file.size();
      progress.onProgress(Math.min(total, doneBefore), total);
    }
    return new ReadResult(counting.documents, counting.chars, warnings, rules);
  }

  private static final class Counting implements DocumentSink {
    private final DocumentSink sink;
    long documents;
    long chars;

    Counting(DocumentSink sink) {
      this.sink = sink;
    }

    @Override
    public void accept(Document document) throws IOException {
      documents++;
      chars += document.text().length();
      sink.accept(document);
    }
  }

  // ---- which files ----

  private static List<CorpusFile> resolve(Path path) {
    if (!Files.exists(path)) {
      throw new CalmException("corpus file not found: " + path);
    }
    try {
      if (!Files.isDirectory(path)) {
        return List.of(new CorpusFile(path, CorpusFormat.named(path), Files.size(path)));
      }
      List<CorpusFile> out = new ArrayList<>();
      for (Path p : walk(path)) {
        Optional<CorpusFormat> format = CorpusFormat.inFolder(p);
        if (format.isPresent()) {
          out.add(new CorpusFile(p, format.get(), Files.size(p)));
        }
      }
      if (out.isEmpty()) {
        throw new CalmException("corpus folder has no .txt, .text, .md, .jsonl, .json-lines or .ndjson files: " + path);
      }
      return out;
    } catch (IOException e) {
      throw new CalmException("cannot read corpus " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * The regular files under {@code root}, hidden ones and those under hidden folders left out,
   * sorted by their path relative to {@code root}. Symbolic links are followed (a link to a data
   * folder inside a corpus folder is read), a link back to a folder being walked (a loop) is
   * skipped, and so is a link that leads nowhere or to another link in a loop.
   */
  private static List<Path> walk(Path root) throws IOException {
    List<Path> found = new ArrayList<>();
    Files.walkFileTree(root, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            return dir.equals(root) || !isHidden(dir) ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (attrs.isRegularFile() && !isHidden(file)) { // a broken link comes with its own attributes
              found.add(file);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof FileSystemLoopException) {
              return FileVisitResult.CONTINUE;
            }
            throw e;
          }
        });
    found.sort(Comparator.comparing((Path p) -> relativeName(root, p)));
    return found;
  }

  /** True if the file or folder is hidden (its name starts with a dot, or the OS says so). */
  private static boolean isHidden(Path p) {
    try {
      return p.getFileName().toString().startsWith(".") || Files.isHidden(p);
    } catch (IOException e) {
      return true; // unreadable attributes: skip rather than fail the walk
    }
  }

  private static String relativeName(Path root, Path p) {
    return root.relativize(p).toString().replace('\\', '/');
  }

  private static void refuseBinary(Path file) throws IOException {
    byte[] head;
    try (InputStream in = Files.newInputStream(file)) {
      head = in.readNBytes(BINARY_CHECK_BYTES);
    }
    for (int i = 0; i < head.length; i++) {
      if (head[i] == 0) {
        throw new CalmException(file + ": looks like a binary file (NUL byte at offset " + i
            + "); a corpus must be UTF-8 text or JSONL");
      }
    }
  }

  // ---- plain text ----

  /** Paragraphs, or with {@code perLine} each non-blank line, as documents (see {@link TextRule}). */
  private void readText(Path file, Utf8Reader in, DocumentSink sink, boolean perLine) throws IOException {
    BoundedLineReader lines = new BoundedLineReader(in);
    StringBuilder doc = new StringBuilder();
    boolean hasContent = false; // doc holds a non-blank line
    boolean afterGap = false; // doc's paragraph has ended with a blank line
    boolean first = true;
    long line = 1;
    long docLine = 1;
    while (true) {
      if (maxDocumentChars - doc.length() < 2) { // cap: the rest of this paragraph continues
        if (emit(file, docLine, doc, !first, sink)) {
          first = false;
        }
        docLine = line;
        hasContent = false;
        afterGap = false;
      }
      String piece = lines.next(maxDocumentChars - doc.length());
      if (piece == null) {
        break;
      }
      boolean blank = piece.isBlank();
      if (!blank && (afterGap || (perLine && hasContent))) { // a new paragraph (or line) starts
        if (emit(file, docLine, doc, !first, sink)) {
          first = false;
        }
        docLine = line;
        hasContent = false;
        afterGap = false;
      }
      doc.append(piece);
      if (blank) {
        afterGap |= hasContent;
      } else {
        hasContent = true;
      }
      if (piece.endsWith("\n")) {
        line++;
      }
    }
    emit(file, docLine, doc, !first, sink);
  }

  /** Passes {@code doc} on unless it is only whitespace, and clears it; true if passed on. */
  private static boolean emit(Path file, long line, StringBuilder doc, boolean continues, DocumentSink sink)
      throws IOException {
    boolean passed = !doc.toString().isBlank();
    if (passed) {
      sink.accept(new Document(file.toString(), line, doc.toString(), continues));
    }
    doc.setLength(0);
    return passed;
  }

  // ---- JSONL ----

  private void readJsonl(Path file, Utf8Reader in, DocumentSink sink) throws IOException {
    BufferedReader lines = new BufferedReader(in, 1 << 16);
    long lineNo = 0;
    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
      lineNo++;
      if (line.isBlank()) {
        continue;
      }
      String text = jsonText(line, file + " line " + lineNo);
      for (int start = 0; start < text.length(); ) {
        int end = Math.min(text.length(), start + maxDocumentChars);
        if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
          end--;
        }
        sink.accept(new Document(file.toString(), lineNo, text.substring(start, end), start > 0));
        start = end;
      }
    }
  }

  /** The {@code "text"} field of one JSONL line; {@code where} is "file line N". */
  private static String jsonText(String line, String where) {
    JsonElement json;
    try {
      JsonReader reader = new JsonReader(new StringReader(line));
      reader.setStrictness(Strictness.STRICT);
      json = JsonParser.parseReader(reader);
      boolean trailing;
      try {
        trailing = reader.peek() != JsonToken.END_DOCUMENT;
      } catch (IOException e) {
        trailing = true;
      }
      if (trailing) {
        throw new CalmException(where + ": not valid JSON (text after the JSON value)");
      }
    } catch (JsonParseException | IllegalStateException e) {
      String reason = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage() : e.getMessage();
      // Gson counts lines within the one-line string we gave it (the file line is in `where`) and
      // suggests a lenient mode the person cannot switch on; keep only what went wrong where.
      String detail =
          firstLine(reason)
              .replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON", "malformed JSON")
              .replace(" at line 1 column ", " at column ");
      throw new CalmException(where + ": not valid JSON (" + detail + ")", e);
    }
    JsonElement text = json.isJsonObject() ? json.getAsJsonObject().get("text") : null;
    if (text == null || !text.isJsonPrimitive() || !text.getAsJsonPrimitive().isString()) {
      throw new CalmException(where + ": no string field \"text\"");
    }
    return text.getAsString();
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
