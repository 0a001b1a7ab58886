package org.calmworkbench.backend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calmworkbench.backend.io.Safetensors;
import org.calmworkbench.backend.io.SafetensorsFile;
import org.calmworkbench.backend.io.TensorSource;
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

  /**
   * Copies every tensor of {@code source} into the (already initialised) parameters of {@code
   * block}, one tensor at a time: beside the model, at most one tensor (as float32) is in memory.
   * A missing or extra tensor, or a shape mismatch, is a CalmException naming the tensor and file,
   * raised before any tensor is read.
   */
  public static void load(CalmBlock block, TensorSource source) {
    Map<String, int[]> shapes = new LinkedHashMap<>();
    for (String name : source.names()) {
      shapes.put(name, source.shape(name));
    }
    Safetensors.requireShapes(shapes, expectedShapes(block), source.file());
    for (Map.Entry<String, Parameter> e : block.namedParameters().entrySet()) {
      e.getValue().getArray().set(source.read(e.getKey()).data());
    }
  }

  /**
   * Copies the tensors of {@code file} whose names start with {@code prefix} into the parameters of
   * {@code block} with the same name; every such tensor must exist in the block with the same shape
   * (a CalmException names the first that does not). Returns how many were copied.
   */
  public static int loadMatching(CalmBlock block, SafetensorsFile file, String prefix) {
    Map<String, Parameter> params = block.namedParameters();
    int copied = 0;
    for (String name : file.tensors().keySet()) {
      if (!name.startsWith(prefix)) {
        continue;
      }
      Parameter p = params.get(name);
      int[] want = p == null ? null : toInts(p.getShape().getShape());
      Tensor t = file.tensor(name);
      if (p == null || !java.util.Arrays.equals(want, t.shape())) {
        throw new org.calmworkbench.backend.CalmException(file.file() + ": tensor " + name + " "
            + java.util.Arrays.toString(t.shape()) + " does not fit this model ("
            + (p == null ? "no such parameter" : "expects " + java.util.Arrays.toString(want)) + ")");
      }
      p.getArray().set(t.data());
      copied++;
    }
    return copied;
  }

  /** Every parameter as a float32 tensor under its official name. */
  public static Map<String, Tensor> export(CalmBlock block) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    block.namedParameters().forEach((name, p) -> out.put(name, toTensor(name, p.getArray())));
    return out;
  }

  /**
   * Every parameter under its official name, its float32 values copied out of the native array only
   * when a writer asks for them ({@link Safetensors#write(java.nio.file.Path, List, Map,
   * org.calmworkbench.backend.io.Dtype)}): writing a model holds one tensor on the heap, not a
   * second copy of the model.
   */
  public static List<Safetensors.LazyTensor> exportLazily(CalmBlock block) {
    List<Safetensors.LazyTensor> out = new java.util.ArrayList<>();
    block.namedParameters().forEach((name, p) -> {
      NDArray a = p.getArray();
      out.add(new Safetensors.LazyTensor(name, toInts(a.getShape().getShape()), a::toFloatArray));
    });
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
