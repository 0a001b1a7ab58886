package org.calmworkbench.app.gui.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The Generator's figures line, computed without a screen. */
class RunFiguresTest {
  @Test
  void figuresLineGivesRateStepsSamplerCostAndKnownWordsOnceMeasured() {
    RunFigures f = new RunFigures();
    f.reset("waiting");
    assertEquals("waiting", f.figuresLine(true), "before the first step only the state is shown");
    f.add(List.of(new Segment(0, " there", 4, 10, false, false, Double.NaN, 0.5),
        new Segment(1, " was a", 4, 2, true, false, Double.NaN, 1.0)));
    f.finish(2, 8, 8.0, "max_tokens");
    assertEquals("8.0 tokens/s · 2 steps · 8 tokens · 4.00 tokens/step · 6.0 sampler calls/step · 1 fallback · done: max tokens",
        f.figuresLine(true));
    assertEquals("8.0 tokens/s · 2 steps · 8 tokens · 4.00 tokens/step · done: max tokens", f.figuresLine(false),
        "the AR baseline has no sampler calls to show");
    f.setKnownWordFraction(0.875);
    assertEquals("8.0 tokens/s · 2 steps · 8 tokens · 4.00 tokens/step · 88% known words · done: max tokens",
        f.figuresLine(false));
    f.reset("running");
    assertEquals("running", f.figuresLine(false), "a new run forgets the old known-word share");
  }
}
