package org.calmworkbench.backend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.calmworkbench.backend.io.SafetensorsFile;
import org.calmworkbench.backend.io.Tensor;

/** Moves parameters between a {@link CalmBlock} (DJL arrays) and named float32 tensors. */
public final class Weights {
  private Weights() {}

  /** The shapes {@code block} needs, under official names. */
  public static Map<String, int[]> expectedShapes(CalmBlock block) {
    Map<String, int[]> out = new LinkedHashMap<>();
    block.namedParameters().forEach((name, p) -> out.put(name, toInts(p.getShape().getShape())));
    return out;
  }

  /**
   * Copies every tensor of {@code file} into the (already initialised) parameters of {@code block}.
   * A missing or extra tensor, or a shape mismatch, is a CalmException naming the tensor and file.
   */
  public static void load(CalmBlock block, SafetensorsFile file) {
    file.requireExactly(expectedShapes(block));
    for (Map.Entry<String, Parameter> e : block.namedParameters().entrySet()) {
      e.getValue().getArray().set(file.tensor(e.getKey()).data());
    }
  }

  /** Every parameter as a float32 tensor under its official name. */
  public static Map<String, Tensor> export(CalmBlock block) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    block.namedParameters().forEach((name, p) -> out.put(name, toTensor(name, p.getArray())));
    return out;
  }

  public static Tensor toTensor(String name, NDArray array) {
    return new Tensor(name, toInts(array.getShape().getShape()), array.toFloatArray());
  }

  static int[] toInts(long[] shape) {
    int[] s = new int[shape.length];
    for (int i = 0; i < shape.length; i++) {
      s[i] = Math.toIntExact(shape[i]);
    }
    return s;
  }
}
