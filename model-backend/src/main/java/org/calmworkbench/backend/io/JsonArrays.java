package org.calmworkbench.backend.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.List;
import org.calmworkbench.backend.CalmException;

/**
 * Nested JSON number arrays (the layout of the reference {@code expected.json} files) to and from
 * row-major tensors. Used by {@code calm inspect forward} and the parity tests.
 */
public final class JsonArrays {
  private JsonArrays() {}

  /** Parses a rectangular nested array; {@code where} names the file and key in errors. */
  public static Tensor read(String name, JsonElement json, String where) {
    List<Integer> shape = new ArrayList<>();
    JsonElement e = json;
    while (e.isJsonArray()) {
      JsonArray a = e.getAsJsonArray();
      shape.add(a.size());
      if (a.isEmpty()) {
        break;
      }
      e = a.get(0);
    }
    int[] dims = shape.stream().mapToInt(Integer::intValue).toArray();
    long n = Tensor.numel(dims);
    if (n > Tensor.MAX_ELEMENTS) {
      throw new CalmException(where + ": " + name + " is too large (" + n + " elements)");
    }
    float[] data = new float[(int) n];
    int[] pos = {0};
    fill(json, 0, dims, data, pos, name, where);
    return new Tensor(name, dims, data);
  }

  private static void fill(JsonElement e, int depth, int[] dims, float[] out, int[] pos, String name, String where) {
    if (depth == dims.length) {
      if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
        throw new CalmException(where + ": " + name + " must contain only numbers, found " + e);
      }
      out[pos[0]++] = e.getAsFloat();
      return;
    }
    if (!e.isJsonArray() || e.getAsJsonArray().size() != dims[depth]) {
      throw new CalmException(where + ": " + name + " is not a rectangular array (expected length "
          + dims[depth] + " at depth " + depth + ")");
    }
    for (JsonElement c : e.getAsJsonArray()) {
      fill(c, depth + 1, dims, out, pos, name, where);
    }
  }

  /** The nested-array form of a row-major tensor. */
  public static JsonElement write(int[] shape, float[] data) {
    return write(shape, data, 0, 0);
  }

  private static JsonElement write(int[] shape, float[] data, int depth, int offset) {
    if (depth == shape.length) {
      return new JsonPrimitive(data[offset]);
    }
    int stride = 1;
    for (int d = depth + 1; d < shape.length; d++) {
      stride *= shape[d];
    }
    JsonArray a = new JsonArray(shape[depth]);
    for (int i = 0; i < shape[depth]; i++) {
      a.add(write(shape, data, depth + 1, offset + i * stride));
    }
    return a;
  }
}
