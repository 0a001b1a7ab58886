package org.calmworkbench.backend.io;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The validated header of a safetensors file: where each tensor lives, without its data. Cheap to
 * read even for a multi-GB checkpoint (see {@link Safetensors#readHeader(Path)}).
 *
 * @param file the file it was read from
 * @param entries tensors in header order
 * @param metadata the {@code __metadata__} strings (empty if absent)
 * @param dataStart absolute file position of the data section (8 + header length)
 */
public record SafetensorsHeader(
    Path file, Map<String, Entry> entries, Map<String, String> metadata, long dataStart) {

  public SafetensorsHeader {
    entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries)); // keep header order
    metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }

  /**
   * One tensor's header entry. Offsets are relative to the start of the data section;
   * {@code end - begin == numel * dtype.byteSize()} has been checked.
   */
  public record Entry(String name, Dtype dtype, int[] shape, long begin, long end) {
    public Entry {
      shape = shape.clone();
    }

    @Override
    public int[] shape() {
      return shape.clone();
    }

    /** Number of elements (fits an int: the reader checked it against {@link Tensor#MAX_ELEMENTS}). */
    public int numel() {
      return (int) Tensor.numel(shape);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Entry e
          && name.equals(e.name)
          && dtype == e.dtype
          && Arrays.equals(shape, e.shape)
          && begin == e.begin
          && end == e.end;
    }

    @Override
    public int hashCode() {
      return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
      return "Entry[" + name + " " + dtype + " " + Arrays.toString(shape) + " @" + begin + ".." + end + "]";
    }
  }
}
