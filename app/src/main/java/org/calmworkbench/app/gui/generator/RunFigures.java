package org.calmworkbench.app.gui.generator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The live figures of one generation run (CALM or AR) of S continuations (S = 1 unless several were
 * asked for): its segments (one per step and sample), steps, tokens, tokens per second, sampler
 * calls and fallbacks, the counts summed over the samples. Updated on the UI thread as segments
 * arrive; the final tokens/s comes from the backend's results (it includes the prompt pass).
 */
public final class RunFigures {
  private final ObservableList<Segment> segments = FXCollections.observableArrayList();
  private final ReadOnlyIntegerWrapper samples = new ReadOnlyIntegerWrapper(this, "samples", 1);
  private final ReadOnlyIntegerWrapper steps = new ReadOnlyIntegerWrapper(this, "steps", 0);
  private final ReadOnlyIntegerWrapper sampleSteps = new ReadOnlyIntegerWrapper(this, "sampleSteps", 0);
  private final ReadOnlyIntegerWrapper tokens = new ReadOnlyIntegerWrapper(this, "tokens", 0);
  private final ReadOnlyDoubleWrapper tokensPerSecond = new ReadOnlyDoubleWrapper(this, "tokensPerSecond", 0);
  private final ReadOnlyLongWrapper samplerCalls = new ReadOnlyLongWrapper(this, "samplerCalls", 0);
  private final ReadOnlyIntegerWrapper fallbacks = new ReadOnlyIntegerWrapper(this, "fallbacks", 0);
  private final ReadOnlyStringWrapper state = new ReadOnlyStringWrapper(this, "state", "");
  private final ReadOnlyDoubleWrapper knownWordFraction = new ReadOnlyDoubleWrapper(this, "knownWordFraction", Double.NaN);
  private final List<StringBuilder> texts = new ArrayList<>(List.of(new StringBuilder())); // per sample

  /** The steps' output: their segments in order (with S samples, step by step, sample by sample). */
  public ObservableList<Segment> segments() {
    return segments;
  }

  /** S: the continuations of the run, generated together. */
  public ReadOnlyIntegerProperty samplesProperty() {
    return samples.getReadOnlyProperty();
  }

  /** Steps of the run: those of its longest sample (the samples step together). */
  public ReadOnlyIntegerProperty stepsProperty() {
    return steps.getReadOnlyProperty();
  }

  /** Steps summed over the samples (the segments so far): equal to the steps when S = 1. */
  public ReadOnlyIntegerProperty sampleStepsProperty() {
    return sampleSteps.getReadOnlyProperty();
  }

  public ReadOnlyIntegerProperty tokensProperty() {
    return tokens.getReadOnlyProperty();
  }

  /** Generated tokens (all samples') per second of wall time so far (final: from the backend's figures). */
  public ReadOnlyDoubleProperty tokensPerSecondProperty() {
    return tokensPerSecond.getReadOnlyProperty();
  }

  public ReadOnlyLongProperty samplerCallsProperty() {
    return samplerCalls.getReadOnlyProperty();
  }

  public ReadOnlyIntegerProperty fallbacksProperty() {
    return fallbacks.getReadOnlyProperty();
  }

  /** Share of the generated words that occur in the run's training corpus; NaN until known (or no corpus). */
  public ReadOnlyDoubleProperty knownWordFractionProperty() {
    return knownWordFraction.getReadOnlyProperty();
  }

  /** "", "waiting", "running", "done: max_tokens", "stopped", "failed: ...". */
  public ReadOnlyStringProperty stateProperty() {
    return state.getReadOnlyProperty();
  }

  /** The generated text so far of the first (or only) sample: its segments concatenated. */
  public String text() {
    return text(0);
  }

  /** Sample {@code sample}'s text so far. */
  public String text(int sample) {
    return texts.get(sample).toString();
  }

  /** Every sample's text so far, in sample order. */
  public List<String> texts() {
    return texts.stream().map(StringBuilder::toString).toList();
  }

  /** Black-box draws per step of one sample, on average; NaN before the first step. */
  public double meanSamplerCallsPerStep() {
    return sampleSteps.get() == 0 ? Double.NaN : (double) samplerCalls.get() / sampleSteps.get();
  }

  /** Tokens per step of one sample, on average; NaN before the first step. */
  public double tokensPerStep() {
    return sampleSteps.get() == 0 ? Double.NaN : (double) tokens.get() / sampleSteps.get();
  }

  /**
   * The run's figures line as the Generator shows it: "4.9 tokens/s · 6 steps · 21 tokens · 3.50
   * tokens/step[ · 4181.0 sampler calls/step · 2 fallbacks] · 100% known words · done: end of text";
   * the sampler part for CALM runs only, the known words once measured. With S > 1 samples the
   * rate and the tokens are over all of them: "19.6 tokens/s over 4 samples · 6 steps · 84 tokens in
   * all · 3.50 tokens/step · ...". The state alone before the first step.
   */
  public String figuresLine(boolean calm) {
    if (steps.get() == 0) {
      return state.get();
    }
    int s0 = samples.get();
    StringBuilder s = new StringBuilder(s0 == 1
        ? String.format(Locale.ROOT, "%s tokens/s · %d steps · %d tokens · %.2f tokens/step",
            rate(tokensPerSecond.get()), steps.get(), tokens.get(), tokensPerStep())
        : String.format(Locale.ROOT, "%s tokens/s over %d samples · %d steps · %d tokens in all · %.2f tokens/step",
            rate(tokensPerSecond.get()), s0, steps.get(), tokens.get(), tokensPerStep()));
    if (calm) {
      s.append(String.format(Locale.ROOT, " · %.1f sampler calls/step · %d fallback%s", meanSamplerCallsPerStep(),
          fallbacks.get(), fallbacks.get() == 1 ? "" : "s"));
    }
    if (!Double.isNaN(knownWordFraction.get())) {
      s.append(String.format(Locale.ROOT, " · %.0f%% known words", 100 * knownWordFraction.get()));
    }
    return s.append(" · ").append(state.get()).toString();
  }

  /** What {@link #figuresLine} depends on, for a binding. */
  javafx.beans.Observable[] figuresDependencies() {
    return new javafx.beans.Observable[] {samples, steps, sampleSteps, tokens, tokensPerSecond, samplerCalls, fallbacks,
        state, knownWordFraction};
  }

  /** A rate for people: "0.42", "3.1", "85". */
  public static String rate(double perSecond) {
    return String.format(Locale.ROOT, perSecond < 1 ? "%.2f" : perSecond < 10 ? "%.1f" : "%.0f", perSecond);
  }

  void reset(String newState) {
    reset(newState, 1);
  }

  /** Empties the figures for a run of {@code sampleCount} samples. */
  void reset(String newState, int sampleCount) {
    segments.clear();
    texts.clear();
    for (int i = 0; i < sampleCount; i++) {
      texts.add(new StringBuilder());
    }
    samples.set(sampleCount);
    steps.set(0);
    sampleSteps.set(0);
    tokens.set(0);
    tokensPerSecond.set(0);
    samplerCalls.set(0);
    fallbacks.set(0);
    knownWordFraction.set(Double.NaN);
    state.set(newState);
  }

  void add(List<Segment> batch) {
    if (batch.isEmpty()) {
      return;
    }
    int t = tokens.get();
    long calls = samplerCalls.get();
    int fb = fallbacks.get();
    int runSteps = steps.get();
    for (Segment s : batch) {
      t += s.tokens();
      calls += s.samplerCalls();
      fb += s.fellBack() ? 1 : 0;
      texts.get(s.sample()).append(s.text());
      runSteps = Math.max(runSteps, s.step() + 1);
    }
    Segment last = batch.get(batch.size() - 1);
    segments.addAll(batch);
    sampleSteps.set(segments.size());
    steps.set(runSteps);
    tokens.set(t);
    samplerCalls.set(calls);
    fallbacks.set(fb);
    tokensPerSecond.set(last.elapsedSeconds() > 0 ? t / last.elapsedSeconds() : 0);
    state.set("running");
  }

  void finish(int finalSteps, int finalTokens, double finalTokensPerSecond, String stopReason) {
    steps.set(finalSteps);
    tokens.set(finalTokens);
    tokensPerSecond.set(finalTokensPerSecond);
    state.set("stopped".equals(stopReason) ? "stopped" : "done: " + stopReason.replace('_', ' '));
  }

  void setKnownWordFraction(double fraction) {
    knownWordFraction.set(fraction);
  }

  void setState(String s) {
    state.set(s);
  }
}
