package org.calmworkbench.backend.tokenizer;

import java.util.Arrays;

/** A growable list of primitive ints: avoids boxing in the tokenizer's hot loops. */
final class IntList {
  private int[] values;
  private int size;

  IntList() {
    this(8);
  }

  IntList(int capacity) {
    values = new int[Math.max(1, capacity)];
  }

  void add(int value) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = value;
  }

  void addAll(int[] more) {
    if (size + more.length > values.length) {
      values = Arrays.copyOf(values, Math.max(size * 2, size + more.length));
    }
    System.arraycopy(more, 0, values, size, more.length);
    size += more.length;
  }

  int get(int index) {
    return values[index];
  }

  int size() {
    return size;
  }

  /** The last value, or -1 when empty. */
  int last() {
    return size == 0 ? -1 : values[size - 1];
  }

  int[] toArray() {
    return Arrays.copyOf(values, size);
  }
}
