package org.calmworkbench.backend.sampling;

import java.util.Arrays;

/**
 * The K token ids one CALM step produces. Compared by content, so two independently decoded
 * chunks with the same ids are the same outcome for temperature sampling and BrierLM.
 *
 * @param ids token ids, length K (patchSize); copied on the way in and out
 */
public record TokenChunk(int[] ids) {
  public TokenChunk {
    ids = ids.clone();
  }

  public static TokenChunk of(int... ids) {
    return new TokenChunk(ids);
  }

  @Override
  public int[] ids() {
    return ids.clone();
  }

  /** K, the number of tokens in the chunk. */
  public int patchSize() {
    return ids.length;
  }

  /** The token id at position {@code t} (0-based) inside the chunk. */
  public int id(int t) {
    return ids[t];
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TokenChunk chunk && Arrays.equals(ids, chunk.ids);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(ids);
  }

  @Override
  public String toString() {
    return "TokenChunk" + Arrays.toString(ids);
  }
}
