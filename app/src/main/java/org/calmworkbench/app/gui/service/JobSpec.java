package org.calmworkbench.app.gui.service;

/**
 * What the service needs to know about a job before it runs.
 *
 * @param name shown in the job queue ("Train autoencoder ae-20250101-120000")
 * @param kind groups jobs of one sort ("ae-train", "reconstruct"); pages find their jobs by it
 * @param canPause whether the work polls {@link JobContext#control()} so Pause can hold it
 * @param usesEngine whether the PyTorch engine must be loaded first (it loads once, lazily)
 * @param isQuiet removed from the visible queue when it ends well (small, frequent jobs such as one
 *     re-decode); failures always stay
 * @param canInterleave short work that may also run between two steps of a running (or paused)
 *     training job, on the same service thread, instead of waiting for the whole run to end
 */
public record JobSpec(String name, String kind, boolean canPause, boolean usesEngine, boolean isQuiet,
    boolean canInterleave) {
  public static JobSpec of(String name, String kind) {
    return new JobSpec(name, kind, false, false, false, false);
  }

  /** The work polls {@link JobContext#control()}, so Pause can hold it. */
  public JobSpec pausable() {
    return new JobSpec(name, kind, true, usesEngine, isQuiet, canInterleave);
  }

  /** The PyTorch engine is loaded (once) before the work runs. */
  public JobSpec needsEngine() {
    return new JobSpec(name, kind, canPause, true, isQuiet, canInterleave);
  }

  /** Leaves the visible queue when it ends well. */
  public JobSpec quiet() {
    return new JobSpec(name, kind, canPause, usesEngine, true, canInterleave);
  }

  /**
   * May run between two steps of a running or paused training job (on the same thread; the loop
   * reseeds every step, so training stays reproducible). For short inspections during a long run.
   */
  public JobSpec interleaved() {
    return new JobSpec(name, kind, canPause, usesEngine, isQuiet, true);
  }
}
