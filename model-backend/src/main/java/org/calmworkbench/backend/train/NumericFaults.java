package org.calmworkbench.backend.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Finds the tensor where a NaN or infinity appeared, so a diverging run stops at that step with
 * the tensor's name (issue 13, goal 6) instead of writing a poisoned checkpoint later.
 */
public final class NumericFaults {
  private NumericFaults() {}

  /** A tensor holding a non-finite value: its checkpoint name and a sample value (NaN or ±Infinity). */
  public record Fault(String tensor, float value) {}

  /**
   * True when every weight is finite, checked with one reduction and one read per step: NaN and
   * infinities survive a sum (a sum that overflows is a fault of its own). Arrays live on {@code sm}.
   */
  static boolean weightsFinite(NDManager sm, Map<String, Parameter> params) {
    NDArray total = null;
    for (Parameter p : params.values()) {
      NDArray s = p.getArray().sum();
      s.attach(sm);
      total = total == null ? s : total.add(s);
    }
    return total == null || Float.isFinite(total.getFloat());
  }

  /** The first weight holding a NaN or infinity, or null (the sum alone overflowed). */
  static Fault firstNonFiniteWeight(NDManager sm, Map<String, Parameter> params) {
    Map<String, NDArray> arrays = new LinkedHashMap<>();
    params.forEach((n, p) -> arrays.put(n, p.getArray()));
    try (NDManager m = sm.newSubManager()) {
      return firstNonFinite(arrays, m);
    }
  }

  /** The first of {@code arrays} holding a NaN or infinity, or null. Temporaries go on {@code m}. */
  static Fault firstNonFinite(Map<String, NDArray> arrays, NDManager m) {
    for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
      NDArray a = e.getValue();
      NDArray nan = a.isNaN();
      nan.attach(m); // results of an op live on its input's manager: move them to the temporary one
      if (nan.any().getBoolean()) {
        return new Fault(e.getKey(), Float.NaN);
      }
      NDArray inf = a.isInfinite();
      inf.attach(m);
      if (inf.any().getBoolean()) {
        NDArray values = a.get(inf);
        values.attach(m);
        return new Fault(e.getKey(), values.getFloat(0));
      }
    }
    return null;
  }

  /** As above, for arrays already attached to a step's manager (gradients). */
  static Fault firstNonFinite(Map<String, NDArray> onStepManager) {
    NDManager m = onStepManager.values().iterator().next().getManager();
    try (NDManager sub = m.newSubManager()) {
      return firstNonFinite(onStepManager, sub);
    }
  }

  /** The weight with the largest magnitude, "name (|w| up to 1.2e+30)", for a loss that overflowed. */
  static String largestWeight(NDManager sm, Map<String, Parameter> params) {
    String name = null;
    float largest = -1;
    try (NDManager m = sm.newSubManager()) {
      for (Map.Entry<String, Parameter> e : params.entrySet()) {
        NDArray abs = e.getValue().getArray().abs();
        abs.attach(m);
        float v = abs.max().getFloat();
        if (v > largest) {
          largest = v;
          name = e.getKey();
        }
      }
    }
    return name == null ? "no weights" : String.format(java.util.Locale.ROOT, "%s (|w| up to %.3g)", name, largest);
  }
}
