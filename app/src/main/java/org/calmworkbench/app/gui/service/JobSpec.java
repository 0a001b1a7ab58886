package org.calmworkbench.app.gui.service;

/**
 * What the service needs to know about a job before it runs.
 *
 * @param name shown in the job queue ("Train autoencoder ae-20250101-120000")
 * @param kind groups jobs of one sort ("ae-train", "reconstruct"); pages find their jobs by it
 * @param pausable whether the work polls {@link JobContext#control()} so Pause can hold it
 * @param needsEngine whether the PyTorch engine must be loaded first (it loads once, lazily)
 * @param quiet removed from the visible queue when it ends well (small, frequent jobs such as one
 *     re-decode); failures always stay
 */
public record JobSpec(String name, String kind, boolean pausable, boolean needsEngine, boolean quiet) {
  public static JobSpec of(String name, String kind) {
    return new JobSpec(name, kind, false, false, false);
  }

  public JobSpec pausable() {
    return new JobSpec(name, kind, true, needsEngine, quiet);
  }

  public JobSpec needsEngine() {
    return new JobSpec(name, kind, pausable, true, quiet);
  }

  public JobSpec quiet() {
    return new JobSpec(name, kind, pausable, needsEngine, true);
  }
}
