package org.calmworkbench.backend.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.calmworkbench.backend.CalmException;

/**
 * A text as a tokenizer sees it: the ids, each id's token as the vocabulary writes it (Hugging
 * Face's {@code convert_ids_to_tokens}: "Ġworld") and each id's own decoded text (its "piece"; a
 * token holding part of a UTF-8 character decodes to U+FFFD). Behind {@code calm tokenizer
 * encode/decode}, where it shows what a chunk of K tokens is.
 */
public record TokenizedText(int[] ids, List<String> tokens, List<String> pieces, String text) {

  /** {@code text} encoded without special tokens added (no BOS: the workbench never adds one). */
  public static TokenizedText encode(Tokenizer tokenizer, String text) {
    return of(tokenizer, tokenizer.encode(text));
  }

  /**
   * {@code ids} decoded.
   *
   * @throws CalmException naming the position of an id outside the vocabulary
   */
  public static TokenizedText of(Tokenizer tokenizer, int[] ids) {
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= tokenizer.vocabSize()) {
        throw new CalmException("token id " + ids[i] + " at position " + i + " is not in the vocabulary (ids 0.."
            + (tokenizer.vocabSize() - 1) + ")");
      }
    }
    List<String> tokens = new ArrayList<>(ids.length);
    List<String> pieces = new ArrayList<>(ids.length);
    for (int id : ids) {
      tokens.add(tokenizer.token(id));
      pieces.add(tokenizer.decode(new int[] {id}));
    }
    return new TokenizedText(ids.clone(), List.copyOf(nullsAsEmpty(tokens)), List.copyOf(pieces), tokenizer.decode(ids));
  }

  /**
   * The decoded text of each chunk of {@code patchSize} ids (the last may be shorter): what one CALM
   * latent vector carries. A chunk boundary inside a UTF-8 character shows as U+FFFD on both sides.
   */
  public List<String> chunks(Tokenizer tokenizer, int patchSize) {
    if (patchSize < 1) {
      throw new CalmException("patch size must be at least 1, got " + patchSize);
    }
    List<String> out = new ArrayList<>();
    for (int start = 0; start < ids.length; start += patchSize) {
      int[] chunk = Arrays.copyOfRange(ids, start, Math.min(ids.length, start + patchSize));
      out.add(tokenizer.decode(chunk));
    }
    return out;
  }

  /**
   * Ids written as "1,2,3" (spaces allowed).
   *
   * @throws CalmException naming {@code what} and the item that is not a non-negative integer
   */
  public static int[] parseIds(String text, String what) {
    String trimmed = text.strip();
    if (trimmed.isEmpty()) {
      return new int[0];
    }
    String[] items = trimmed.split("\\s*,\\s*", -1);
    int[] ids = new int[items.length];
    for (int i = 0; i < items.length; i++) {
      try {
        ids[i] = Integer.parseInt(items[i].strip());
      } catch (NumberFormatException e) {
        throw new CalmException(what + ": item " + (i + 1) + " is \"" + items[i] + "\"; expected token ids such as 9906,1917,0");
      }
      if (ids[i] < 0) {
        throw new CalmException(what + ": item " + (i + 1) + " is " + ids[i] + "; token ids are not negative");
      }
    }
    return ids;
  }

  private static List<String> nullsAsEmpty(List<String> tokens) {
    return tokens.stream().map(t -> t == null ? "" : t).toList();
  }
}
