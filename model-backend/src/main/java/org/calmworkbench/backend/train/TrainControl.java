package org.calmworkbench.backend.train;

/**
 * How a caller steers a running training loop from another thread: stop (a checkpoint is saved
 * first) and pause. The loop polls it once per step.
 */
public interface TrainControl {
  /** True once the caller wants the run to end; the loop saves a checkpoint and returns. */
  boolean stopRequested();

  /** Blocks while the caller has paused the run. */
  default void awaitIfPaused() throws InterruptedException {}

  /** True while the caller has paused the run (for work in other processes that must pause too). */
  default boolean paused() {
    return false;
  }

  TrainControl NONE = () -> false;
}
