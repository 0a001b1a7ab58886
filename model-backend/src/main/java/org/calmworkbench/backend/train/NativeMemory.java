package org.calmworkbench.backend.train;

import com.sun.jna.Function;

/**
 * Gives freed native memory back to the operating system: glibc's {@code malloc_trim(0)}.
 *
 * <p>Why: PyTorch's CPU tensors are plain {@code malloc}/{@code free} blocks. glibc keeps freed
 * blocks in its arenas instead of returning them, and an evaluation allocates far more at once
 * than a training step (the tiny autoencoder: ~180 MiB of live native memory at an evaluation
 * against 60-90 MiB during a step, measured with heaptrack; docs/BENCHMARKS.md section 3). Each
 * evaluation then leaves the arenas fragmented at a slightly different place, so the resident set
 * size crept up run after run although the live native memory stayed flat. {@code malloc_trim}
 * releases the free pages of every arena ({@code MADV_DONTNEED}); it costs a few milliseconds, so
 * the training loop calls it after evaluations and checkpoints, not after every step.
 *
 * <p>Only on Linux with glibc; elsewhere (macOS, Windows, musl) it does nothing. {@code
 * -Dcalm.mallocTrim=false} turns it off (to measure the difference).
 */
public final class NativeMemory {
  private NativeMemory() {}

  /** System property that turns the trimming off when set to {@code false}. */
  public static final String PROPERTY = "calm.mallocTrim";

  private static final Function MALLOC_TRIM = lookup();

  private static Function lookup() {
    return Boolean.parseBoolean(System.getProperty(PROPERTY, "true")) ? Libc.function("malloc_trim") : null;
  }

  /** Whether {@link #trim()} can do anything here (Linux with glibc, not turned off). */
  public static boolean available() {
    return MALLOC_TRIM != null;
  }

  /**
   * Returns free native heap pages to the operating system.
   *
   * @return true if memory was released, false if there was none to release or it is not available here
   */
  public static boolean trim() {
    if (MALLOC_TRIM == null) {
      return false;
    }
    try {
      return MALLOC_TRIM.invokeInt(new Object[] {0L}) != 0;
    } catch (LinkageError | RuntimeException e) {
      return false;
    }
  }
}
