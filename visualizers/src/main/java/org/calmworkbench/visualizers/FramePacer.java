package org.calmworkbench.visualizers;

import java.util.ArrayDeque;
import javafx.animation.AnimationTimer;

/**
 * Spreads chart redraws over frames: at most one queued redraw runs per JavaFX pulse (FX thread
 * only).
 *
 * <p>The live charts of a page receive their points at the same moment (one coalesced update per
 * training report), so without this they all redraw inside the same pulse. A redraw costs 1-2 ms
 * when the JIT is warm but 20-30 ms in the first seconds of a run and when a series is drawn for
 * the first time (the held-out points of the first evaluation), and three of them back to back
 * made the one pulse gap over 50 ms the FX-stall benchmark still found (docs/BENCHMARKS.md). With
 * the pacer each pulse does one chart's redraw, and a page of three charts is up to date two
 * frames (about 33 ms) later.
 */
final class FramePacer {
  /** The application's pacer, driven by JavaFX pulses. */
  static final FramePacer FX = new FramePacer();

  private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
  private final Runnable startTicks;
  private final Runnable stopTicks;

  private FramePacer() {
    AnimationTimer timer = new AnimationTimer() {
      @Override
      public void handle(long now) {
        tick();
      }
    };
    this.startTicks = timer::start;
    this.stopTicks = timer::stop;
  }

  /** A pacer whose frames are {@link #tick()} calls (tests); the hooks say when ticks are wanted. */
  FramePacer(Runnable startTicks, Runnable stopTicks) {
    this.startTicks = startTicks;
    this.stopTicks = stopTicks;
  }

  /**
   * Runs {@code redraw} in a coming frame, after the redraws queued before it, one per frame. A
   * redraw already waiting (the same object) is not queued twice.
   */
  void request(Runnable redraw) {
    for (Runnable r : queue) {
      if (r == redraw) {
        return;
      }
    }
    queue.add(redraw);
    startTicks.run();
  }

  /** One frame: runs the oldest waiting redraw; stops the ticks when none is left. */
  void tick() {
    Runnable next = queue.poll();
    if (queue.isEmpty()) {
      stopTicks.run();
    }
    if (next != null) {
      next.run();
    }
  }

  /** Redraws waiting. */
  int pending() {
    return queue.size();
  }
}
