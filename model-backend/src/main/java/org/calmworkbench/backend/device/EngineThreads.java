package org.calmworkbench.backend.device;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Map;
import java.util.Properties;

/**
 * The PyTorch engine's thread counts, as every benchmark and {@code calm version} report them, and
 * where they came from. The decision (docs/DECISIONS.md, "Engine threads"): the command line keeps
 * PyTorch's defaults (intra-op: one thread per core; inter-op: PyTorch's own pool, unused by the
 * workbench's eager one-op-at-a-time calls) unless {@code OMP_NUM_THREADS} or the
 * {@code ai.djl.pytorch.num_threads} property says otherwise; the window leaves one core to the UI
 * (the GUI's launcher sets {@code ai.djl.pytorch.num_threads} to cores - 1).
 *
 * @param intraOp threads one operation (a matmul) is split over
 * @param interOp threads independent operations may run on
 * @param source why intraOp has its value
 */
public record EngineThreads(int intraOp, int interOp, String source) {
  public static final String PROPERTY = "ai.djl.pytorch.num_threads";

  /** The counts of the loaded engine (this loads it). */
  public static EngineThreads current() {
    Engine.getEngine("PyTorch");
    return new EngineThreads(JniUtils.getNumThreads(), JniUtils.getNumInteropThreads(),
        source(System.getProperties(), System.getenv()));
  }

  /** Which setting decides the intra-op count: the property wins over OMP_NUM_THREADS (as in DJL). */
  static String source(Properties props, Map<String, String> env) {
    String p = props.getProperty(PROPERTY);
    if (p != null) {
      return PROPERTY + "=" + p;
    }
    String omp = env.get("OMP_NUM_THREADS");
    if (omp != null) {
      return "OMP_NUM_THREADS=" + omp;
    }
    return "PyTorch's default: one per core";
  }

  /** "intra-op 2, inter-op 2 (OMP_NUM_THREADS=2)". */
  public String describe() {
    return "intra-op " + intraOp + ", inter-op " + interOp + " (" + source + ")";
  }
}
