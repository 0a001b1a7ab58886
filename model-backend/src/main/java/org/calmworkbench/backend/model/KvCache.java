package org.calmworkbench.backend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * The keys and values of every attention layer for the positions seen so far, so that decoding
 * one more latent step costs one position's work instead of re-running the whole context.
 *
 * <p>Per layer it keeps the rotated keys transposed, [B, heads, D, S], and the values,
 * [B, heads, S, D]; both grow along S. They live on the cache's own manager (a sub-manager of the
 * one given), so a decoding loop can close each step's manager while the cache survives. For
 * inference only: appending detaches the arrays from any gradient graph's lifetime.
 */
public final class KvCache implements AutoCloseable {
  private final NDManager manager;
  private final NDArray[] keysT;
  private final NDArray[] values;
  private long length;

  public KvCache(NDManager parent, int numLayers) {
    this.manager = parent.newSubManager();
    this.keysT = new NDArray[numLayers];
    this.values = new NDArray[numLayers];
  }

  /** Number of positions (latent steps) cached: the position of the next one. */
  public long length() {
    return length;
  }

  public int numLayers() {
    return keysT.length;
  }

  /**
   * Appends the new positions of {@code layer} and returns the full keys (transposed) and values.
   *
   * @param newKeysT [B, heads, D, n]
   * @param newValues [B, heads, n, D]
   * @return {keysT [B, heads, D, S], values [B, heads, S, D]} with S = length() + n, owned by the cache
   */
  NDArray[] append(int layer, NDArray newKeysT, NDArray newValues) {
    keysT[layer] = grow(keysT[layer], newKeysT, 3);
    values[layer] = grow(values[layer], newValues, 2);
    return new NDArray[] {keysT[layer], values[layer]};
  }

  /** Marks {@code n} more positions as cached; called once per step, after every layer appended. */
  void advance(long n) {
    length += n;
  }

  private NDArray grow(NDArray old, NDArray added, int axis) {
    NDArray merged = old == null ? added.duplicate() : old.concat(added, axis);
    merged.attach(manager);
    if (old != null) {
      old.close();
    }
    return merged;
  }

  @Override
  public void close() {
    manager.close();
  }
}
