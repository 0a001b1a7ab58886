package org.calmworkbench.backend.io;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.calmworkbench.backend.CalmException;

/**
 * The tensors and metadata read from one safetensors file.
 *
 * @param file where they came from (used in error messages)
 * @param tensors by name, in header order
 * @param metadata the {@code __metadata__} strings (empty if the file has none)
 */
public record SafetensorsFile(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {

  public SafetensorsFile {
    tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }

  /** The tensor called {@code name}; a CalmException naming the file if there is none. */
  public Tensor tensor(String name) {
    Tensor t = tensors.get(name);
    if (t == null) {
      throw new CalmException("tensor " + name + " is missing from " + file);
    }
    return t;
  }

  /** See {@link Safetensors#requireExactly(Map, Map, Path)}. */
  public void requireExactly(Map<String, int[]> expectedShapes) {
    Safetensors.requireExactly(tensors, expectedShapes, file);
  }
}
