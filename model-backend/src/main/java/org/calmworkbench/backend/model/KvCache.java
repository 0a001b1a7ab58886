package org.calmworkbench.backend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * The keys and values of every attention layer for the positions seen so far, so that decoding
 * one more latent step costs one position's work instead of re-running the whole context.
 *
 * <p>Per layer it keeps the rotated keys and the values, each [B, heads, capacity, D], allocated
 * once (at the first append, when B, heads and D are known) for {@code capacity} positions and
 * written in place: a step writes its n new positions into rows {@code length .. length+n-1} and
 * attention reads the first {@code length + n} rows as a view, so a step copies only what it adds.
 * (Appending by concatenation, {@link Layout#CONCATENATED}, copied the whole cache every step, which
 * at long contexts costs more than reading the weights; it is kept to check this layout against.) A
 * cache that outgrows its capacity reallocates at twice the size.
 *
 * <p>The arrays live on the cache's own manager (a sub-manager of the one given), so a decoding
 * loop can close each step's manager while the cache survives; the views it hands out live on the
 * step's manager. For inference only.
 */
public final class KvCache implements AutoCloseable {
  /** Positions allocated when the caller does not say how many it will need. */
  public static final int DEFAULT_CAPACITY = 256;

  /** How new positions are stored. */
  public enum Layout {
    /** Preallocated arrays written in place (the default). */
    PREALLOCATED,
    /** A new, longer array per step: the old path, kept for comparison. */
    CONCATENATED
  }

  private final NDManager manager;
  private final NDArray[] keys; // per layer [B, heads, capacity, D] (concatenated: [B, heads, length, D])
  private final NDArray[] values; // per layer [B, heads, capacity, D]
  private final Layout layout;
  private long capacity;
  private long length;
  private long indexedLength = -1; // the positions rowsIndex and upToEndIndex were made for
  private long indexedEnd = -1;
  private NDIndex rowsIndex; // ":, :, length:end", the new rows
  private NDIndex upToEndIndex; // ":, :, :end", all rows so far

  public KvCache(NDManager parent, int numLayers) {
    this(parent, numLayers, DEFAULT_CAPACITY, Layout.PREALLOCATED);
  }

  /**
   * @param capacity positions to allocate for (the prompt plus the steps to come); more are
   *     possible at the cost of a reallocation
   */
  public KvCache(NDManager parent, int numLayers, long capacity, Layout layout) {
    if (capacity < 1) {
      throw new IllegalArgumentException("cache capacity must be at least 1, got " + capacity);
    }
    this.manager = parent.newSubManager();
    this.keys = new NDArray[numLayers];
    this.values = new NDArray[numLayers];
    this.capacity = capacity;
    this.layout = layout;
  }

  /** Number of positions (latent steps) cached: the position of the next one. */
  public long length() {
    return length;
  }

  public int numLayers() {
    return keys.length;
  }

  /** Positions the arrays hold without reallocating. */
  public long capacity() {
    return capacity;
  }

  /**
   * Stores the new positions of {@code layer} and returns the keys and values of all positions so far.
   *
   * @param newKeys [B, heads, n, D]
   * @param newValues [B, heads, n, D]
   * @param step the manager of the caller's step, which the returned views are attached to
   * @return {keys [B, heads, S, D], values [B, heads, S, D]} with S = length() + n
   */
  NDArray[] append(int layer, NDArray newKeys, NDArray newValues, NDManager step) {
    if (layout == Layout.CONCATENATED) {
      keys[layer] = concat(keys[layer], newKeys);
      values[layer] = concat(values[layer], newValues);
      return new NDArray[] {keys[layer], values[layer]};
    }
    long n = newKeys.getShape().get(2);
    long end = length + n;
    if (keys[layer] == null || end > keys[layer].getShape().get(2)) {
      capacity = Math.max(capacity, end);
      if (keys[layer] != null) {
        capacity = Math.max(capacity, 2 * keys[layer].getShape().get(2));
      }
      keys[layer] = reallocate(keys[layer], newKeys.getShape(), capacity);
      values[layer] = reallocate(values[layer], newValues.getShape(), capacity);
    }
    if (indexedLength != length || indexedEnd != end) { // the step's indices, parsed once for all layers
      rowsIndex = new NDIndex(":, :, {}:{}", length, end);
      upToEndIndex = new NDIndex(":, :, :{}", end);
      indexedLength = length;
      indexedEnd = end;
    }
    keys[layer].set(rowsIndex, newKeys); // in place: only the n new rows are written
    values[layer].set(rowsIndex, newValues);
    NDArray k = keys[layer].get(upToEndIndex); // views of the first S rows
    NDArray v = values[layer].get(upToEndIndex);
    k.attach(step);
    v.attach(step);
    return new NDArray[] {k, v};
  }

  /** Marks {@code n} more positions as cached; called once per step, after every layer appended. */
  void advance(long n) {
    length += n;
  }

  /** A zero array [B, heads, capacity, D] (shaped like {@code like} but longer) holding old's rows. */
  private NDArray reallocate(NDArray old, Shape like, long rows) {
    NDArray fresh = manager.zeros(new Shape(like.get(0), like.get(1), rows, like.get(3)));
    if (old != null) {
      fresh.set(new NDIndex(":, :, :{}", length), old.get(new NDIndex(":, :, :{}", length)));
      old.close();
    }
    return fresh;
  }

  private NDArray concat(NDArray old, NDArray added) {
    NDArray merged = old == null ? added.duplicate() : old.concat(added, 2);
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
