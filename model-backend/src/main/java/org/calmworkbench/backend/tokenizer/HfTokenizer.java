package org.calmworkbench.backend.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.calmworkbench.backend.CalmException;

/**
 * Any Hugging Face {@code tokenizer.json} (Llama 3, Mistral, BERT, ...) through DJL's binding of the
 * Rust {@code tokenizers} library, whose native code ships inside the DJL jar (works offline).
 *
 * <p>Encoding adds no special tokens and neither truncates nor pads (DJL would otherwise cut at 512
 * tokens and pad batches). Note that the library matches the text of special tokens inside the input
 * (e.g. "&lt;|endoftext|&gt;" becomes the end-of-text id), unlike {@link ByteLevelBpeTokenizer}.
 * Decoding keeps special tokens as text. Holds native memory: {@link #close()} it.
 */
public final class HfTokenizer implements Tokenizer, AutoCloseable {
  private final HuggingFaceTokenizer tokenizer;
  private final Path file;
  private final int vocabSize;
  private final int eosId;
  private final String[] tokens; // id -> token as tokenizer.json writes it (null: unused id)

  private HfTokenizer(HuggingFaceTokenizer tokenizer, Path file, int eosId, String[] tokens) {
    this.tokenizer = tokenizer;
    this.file = file;
    this.vocabSize = tokens.length;
    this.eosId = eosId;
    this.tokens = tokens;
  }

  /** Opens a {@code tokenizer.json} (or the one inside a folder). */
  public static HfTokenizer load(Path dirOrFile) {
    Path file = Tokenizers.resolve(dirOrFile);
    JsonObject root = TokenizerJson.read(file);
    String[] tokens = TokenizerJson.tokensById(root, file, TokenizerJson.vocabSize(root, file));
    Map<String, Integer> specials = new HashMap<>();
    TokenizerJson.specialTokens(root, file).forEach((id, content) -> specials.put(content, id));
    Map<String, String> options =
        Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false");
    try {
      HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(file, options);
      return new HfTokenizer(tokenizer, file, TokenizerJson.findEosId(specials), tokens);
    } catch (IOException | RuntimeException e) {
      throw new CalmException(
          file + ": Hugging Face's tokenizers library cannot load it: " + e.getMessage(), e);
    }
  }

  @Override
  public int[] encode(String text) {
    long[] ids = tokenizer.encode(text, false, false).getIds();
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = Math.toIntExact(ids[i]);
    }
    return out;
  }

  @Override
  public String decode(int[] ids) {
    long[] wide = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= vocabSize) {
        throw new CalmException(
            "token id " + ids[i] + " at position " + i + " is not in the vocabulary of " + file
                + " (ids 0.." + (vocabSize - 1) + ")");
      }
      wide[i] = ids[i];
    }
    return tokenizer.decode(wide, false);
  }

  /** The token of {@code id} as tokenizer.json writes it (Llama 3: "Ġworld"), or null for an unused id. */
  @Override
  public String token(int id) {
    if (id < 0 || id >= vocabSize) {
      throw new CalmException("token id " + id + " is not in the vocabulary of " + file + " (ids 0.." + (vocabSize - 1) + ")");
    }
    return tokens[id];
  }

  @Override
  public int vocabSize() {
    return vocabSize;
  }

  @Override
  public int eosId() {
    return eosId;
  }

  /** The file this tokenizer was read from. */
  public Path file() {
    return file;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
