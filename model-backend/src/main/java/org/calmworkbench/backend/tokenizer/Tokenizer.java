package org.calmworkbench.backend.tokenizer;

/**
 * Text to token ids and back. Implementations: the project's own byte-level BPE
 * ({@code ByteLevelBpeTokenizer}) and any Hugging Face {@code tokenizer.json} through DJL.
 * Implementations are thread-safe for encode/decode.
 */
public interface Tokenizer {
  /** Token ids of {@code text}, without special tokens. */
  int[] encode(String text);

  /** The text of {@code ids}; for byte-level BPE, decode(encode(s)) equals s for any string. */
  String decode(int[] ids);

  /** Number of ids; every id is in [0, vocabSize). */
  int vocabSize();

  /** The end-of-text id, or -1 if the vocabulary has none. */
  int eosId();

  /**
   * The token of {@code id} as the vocabulary writes it (byte-level BPE: "Ġthe" for " the"); by
   * default its decoded text, for tokenizers without a written vocabulary.
   */
  default String token(int id) {
    return decode(new int[] {id});
  }
}
