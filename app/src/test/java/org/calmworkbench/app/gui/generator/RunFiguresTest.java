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
    f.add(List.of(new Segment(0, 0, " there", 4, 10, false, false, Double.NaN, 0.5),
        new Segment(0, 1, " was a", 4, 2, true, false, Double.NaN, 1.0)));
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

  @Test
  void severalSamplesAreCountedTogetherAndTheRateIsOverAllOfThem() {
    RunFigures f = new RunFigures();
    f.reset("waiting", 2);
    assertEquals(2, f.samplesProperty().get());
    // Step 0 of both samples; step 1 of both, where sample 1 meets end-of-text after 3 tokens; step 2 of sample 0.
    f.add(List.of(new Segment(0, 0, " the", 4, 6, false, false, Double.NaN, 0.2),
        new Segment(1, 0, " a", 4, 6, false, false, Double.NaN, 0.2)));
    f.add(List.of(new Segment(0, 1, " cat", 4, 6, false, false, Double.NaN, 0.4),
        new Segment(1, 1, " dog", 3, 6, false, true, Double.NaN, 0.4),
        new Segment(0, 2, " sees", 4, 6, false, false, Double.NaN, 0.6)));
    assertEquals(List.of(" the cat sees", " a dog"), f.texts(), "each sample's segments, in order");
    assertEquals(3, f.stepsProperty().get(), "the run's steps: its longest sample's");
    assertEquals(5, f.sampleStepsProperty().get());
    assertEquals(19, f.tokensProperty().get());
    GeneratorViewModel.Totals t = GeneratorViewModel.finish(f, List.of(
        new GeneratorViewModel.Totals(3, 12, 2.0, "max_tokens"), new GeneratorViewModel.Totals(2, 7, 2.0, "end_of_text")));
    assertEquals(9.5, t.tokensPerSecond(), 1e-12, "19 tokens of both samples in the run's 2.0 s");
    assertEquals("9.5 tokens/s over 2 samples · 3 steps · 19 tokens in all · 3.80 tokens/step · 6.0 sampler calls/step"
        + " · 0 fallbacks · done: max tokens, end of text", f.figuresLine(true));
    GeneratorViewModel.finish(f, List.of(new GeneratorViewModel.Totals(2, 8, 2.0, "stopped"),
        new GeneratorViewModel.Totals(2, 7, 2.0, "end_of_text")));
    assertEquals("stopped", f.stateProperty().get(), "a stopped run says so, whatever the other samples did");
  }
}
