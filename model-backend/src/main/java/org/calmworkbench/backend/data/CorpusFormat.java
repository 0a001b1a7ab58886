package org.calmworkbench.backend.data;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * How a corpus file is read, chosen by its extension.
 *
 * <ul>
 *   <li>{@link #JSONL}: {@code .jsonl}, {@code .json-lines}, {@code .ndjson} — one JSON object per
 *       line with a string field {@code "text"} (the format of CALM's training data).
 *   <li>{@link #TEXT}: {@code .txt}, {@code .text}, {@code .md} — UTF-8 plain text.
 * </ul>
 *
 * Inside a folder only these extensions are read. A file named explicitly is read as JSONL if it
 * has a JSONL extension and as plain text otherwise (the person chose it; the binary check in
 * {@link CorpusReader} still guards against a wrong pick).
 */
public enum CorpusFormat {
  TEXT,
  JSONL;

  /** The format of a file found while walking a folder, or empty if the folder walk skips it. */
  public static Optional<CorpusFormat> inFolder(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".jsonl") || name.endsWith(".json-lines") || name.endsWith(".ndjson")) {
      return Optional.of(JSONL);
    }
    if (name.endsWith(".txt") || name.endsWith(".text") || name.endsWith(".md")) {
      return Optional.of(TEXT);
    }
    return Optional.empty();
  }

  /** The format of a file the person named directly. */
  public static CorpusFormat named(Path file) {
    return inFolder(file).orElse(TEXT);
  }
}
