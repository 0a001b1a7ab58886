package org.calmworkbench.backend.io;

import java.nio.file.Path;
import java.util.Set;

/**
 * Named float32 tensors that are read one at a time, so a loader holds at most one tensor beside the
 * model it fills (a checkpoint of a few GB is never in memory twice). Implemented for safetensors
 * ({@link Safetensors#openTensors}) and PyTorch's zip/pickle format ({@code pytorch.TorchStateDict}).
 */
public interface TensorSource extends AutoCloseable {
  /** The file the tensors come from, for error messages. */
  Path file();

  /** Every tensor's name, in file order. */
  Set<String> names();

  /** The shape of tensor {@code name}; a CalmException naming the file if there is none. */
  int[] shape(String name);

  /**
   * Tensor {@code name} as float32 (converted from the file's dtype).
   *
   * @throws CalmException naming the file and tensor if it is missing, not a float tensor, too large
   *     for one Java array, or cannot be read
   */
  Tensor read(String name);

  @Override
  void close();
}
