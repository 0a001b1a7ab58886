package org.calmworkbench.backend.tokenizer;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.calmworkbench.backend.CalmException;

/** Opening and saving tokenizers as Hugging Face {@code tokenizer.json} files. */
public final class Tokenizers {
  private Tokenizers() {}

  /**
   * Opens a {@code tokenizer.json}, or the one inside a folder. Files the built-in {@link
   * ByteLevelBpeTokenizer} reproduces exactly (BPE with the ByteLevel pre-tokenizer and decoder, no
   * normalizer: this project's own files, GPT-2's) load into it; any other (Llama 3, BERT,
   * SentencePiece ...) loads through Hugging Face's library as an {@link HfTokenizer}, which holds
   * native memory: close it when done ({@code if (t instanceof AutoCloseable c) c.close()}).
   *
   * @throws CalmException if the file is missing, not JSON, or not a tokenizer
   */
  public static Tokenizer load(Path dirOrFile) {
    Path file = resolve(dirOrFile);
    JsonObject root = TokenizerJson.read(file);
    if (TokenizerJson.unsupportedFeatures(root).isEmpty()) {
      return TokenizerJson.toByteLevelBpe(root, file);
    }
    return HfTokenizer.load(file);
  }

  /**
   * The special added tokens of a {@code tokenizer.json} (or the one inside a folder), id -> content
   * in file order (Llama 3: 128000 "&lt;|begin_of_text|&gt;", ...).
   *
   * @throws CalmException naming the file and key of a malformed entry
   */
  public static Map<Integer, String> specialTokens(Path dirOrFile) {
    Path file = resolve(dirOrFile);
    return TokenizerJson.specialTokens(TokenizerJson.read(file), file);
  }

  /** Writes {@code dir/tokenizer.json} atomically and returns its path. */
  public static Path save(ByteLevelBpeTokenizer tokenizer, Path dir) {
    Path file = dir.resolve(TokenizerJson.FILE_NAME);
    tokenizer.save(file);
    return file;
  }

  /** {@code dirOrFile} itself, or {@code dirOrFile/tokenizer.json} when it is a folder. */
  public static Path resolve(Path dirOrFile) {
    if (Files.isDirectory(dirOrFile)) {
      Path file = dirOrFile.resolve(TokenizerJson.FILE_NAME);
      if (!Files.isRegularFile(file)) {
        throw new CalmException(dirOrFile + ": the folder has no " + TokenizerJson.FILE_NAME);
      }
      return file;
    }
    if (!Files.isRegularFile(dirOrFile)) {
      throw new CalmException(dirOrFile + ": no such file or folder; expected a tokenizer.json");
    }
    return dirOrFile;
  }
}
