package org.calmworkbench.backend.io.pytorch;

import java.util.Arrays;

/**
 * One tensor of a state dict as {@code torch._utils._rebuild_tensor_v2} describes it: a view of
 * {@code shape} with {@code stride} (in elements) starting {@code offset} elements into a storage.
 * Several tensors may share a storage (tied weights); the view never copies it.
 *
 * @param storage the storage it views
 * @param offset first element, in elements of the storage's type
 * @param shape sizes per dimension
 * @param stride elements between neighbours per dimension
 */
public record TensorView(Storage storage, long offset, long[] shape, long[] stride) {

  /**
   * A typed storage, the {@code data/<key>} entry of the archive.
   *
   * @param key the entry's name under {@code data/}
   * @param type element type
   * @param numel declared number of elements
   */
  public record Storage(String key, StorageType type, long numel) {}

  public TensorView {
    shape = shape.clone();
    stride = stride.clone();
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  @Override
  public long[] stride() {
    return stride.clone();
  }

  /** The number of elements (the checked product of the shape). */
  public long numel() {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** Whether the elements are laid out row-major without gaps (a plain slice of the storage). */
  public boolean isContiguous() {
    long expected = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      if (shape[i] != 1 && stride[i] != expected) {
        return false;
      }
      expected *= shape[i];
    }
    return true;
  }

  /** Same storage, offset, shape and strides: the same tensor under another name. */
  public boolean sameAs(TensorView o) {
    return storage.equals(o.storage) && offset == o.offset && Arrays.equals(shape, o.shape)
        && Arrays.equals(stride, o.stride);
  }

  @Override
  public String toString() {
    return storage.type() + Arrays.toString(shape) + " @ data/" + storage.key() + "+" + offset;
  }
}
