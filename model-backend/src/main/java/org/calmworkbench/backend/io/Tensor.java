package org.calmworkbench.backend.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * A named float32 tensor as stored in a safetensors file: row-major {@code data} with
 * {@code numel(shape) == data.length}. A shape of {@code []} is a scalar (one element).
 *
 * <p>The shape is copied on the way in and out, so it cannot change. The data array is shared, not
 * copied (weights can be hundreds of MB): do not mutate it after handing it over.
 */
public record Tensor(String name, int[] shape, float[] data) {

  /**
   * The largest element count a Java array reliably holds (HotSpot refuses a few short of
   * {@link Integer#MAX_VALUE}).
   */
  public static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

  public Tensor {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(data, "data");
    shape = shape.clone();
    long n = numel(shape);
    if (n != data.length) {
      throw new IllegalArgumentException(
          "tensor " + name + " has shape " + Arrays.toString(shape) + " (" + n + " elements) but "
              + data.length + " values");
    }
  }

  /** Number of elements: the product of the shape. */
  public int numel() {
    return data.length;
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  /**
   * Product of the dimensions, without overflow. Throws IllegalArgumentException on a negative
   * dimension or a product beyond {@code Long.MAX_VALUE}.
   */
  public static long numel(int[] shape) {
    long n = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      n = Math.multiplyExact(n, (long) d);
    }
    return n;
  }

  /** Same name, same shape and the same floats (compared as by {@link Float#compare}). */
  @Override
  public boolean equals(Object o) {
    return o instanceof Tensor t
        && name.equals(t.name)
        && Arrays.equals(shape, t.shape)
        && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, Arrays.hashCode(shape), Arrays.hashCode(data));
  }

  /** Name and shape only: the data may be millions of numbers. */
  @Override
  public String toString() {
    return "Tensor[" + name + " " + Arrays.toString(shape) + "]";
  }
}
