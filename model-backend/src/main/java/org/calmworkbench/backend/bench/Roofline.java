package org.calmworkbench.backend.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.calmworkbench.backend.device.ComputeDevice;

/** The engine's dense fp32 matmul rate: the ceiling that training throughput is compared against. */
public final class Roofline {
  private Roofline() {}

  /**
   * FLOP/s of an n x n by n x n product on this engine, best of {@code reps} timed runs after a
   * warm-up (2 n^3 FLOPs each).
   */
  public static double matmulFlops(int n, int reps) {
    try (NDManager m = NDManager.newBaseManager(ComputeDevice.device())) {
      NDArray a = m.randomUniform(-1f, 1f, new Shape(n, n));
      NDArray b = m.randomUniform(-1f, 1f, new Shape(n, n));
      double best = Double.POSITIVE_INFINITY;
      for (int i = 0; i < reps + 2; i++) {
        try (NDManager s = m.newSubManager()) {
          long t0 = System.nanoTime();
          NDArray y = a.matMul(b);
          y.attach(s);
          y.getFloat(0, 0); // forces completion (the CPU engine is synchronous anyway)
          double sec = (System.nanoTime() - t0) / 1e9;
          if (i >= 2) {
            best = Math.min(best, sec);
          }
        }
      }
      return 2.0 * n * n * (double) n / best;
    }
  }
}
