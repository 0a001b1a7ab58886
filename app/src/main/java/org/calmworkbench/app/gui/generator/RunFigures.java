package org.calmworkbench.app.gui.generator;

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
 * The live figures of one generation run (CALM or AR): its segments (one per step), steps,
 * tokens, tokens per second, sampler calls and fallbacks. Updated on the UI thread as segments
 * arrive; the final tokens/s comes from the backend's result (it includes the prompt pass).
 */
public final class RunFigures {
  private final ObservableList<Segment> segments = FXCollections.observableArrayList();
  private final ReadOnlyIntegerWrapper steps = new ReadOnlyIntegerWrapper(this, "steps", 0);
  private final ReadOnlyIntegerWrapper tokens = new ReadOnlyIntegerWrapper(this, "tokens", 0);
  private final ReadOnlyDoubleWrapper tokensPerSecond = new ReadOnlyDoubleWrapper(this, "tokensPerSecond", 0);
  private final ReadOnlyLongWrapper samplerCalls = new ReadOnlyLongWrapper(this, "samplerCalls", 0);
  private final ReadOnlyIntegerWrapper fallbacks = new ReadOnlyIntegerWrapper(this, "fallbacks", 0);
  private final ReadOnlyStringWrapper state = new ReadOnlyStringWrapper(this, "state", "");
  private final ReadOnlyDoubleWrapper knownWordFraction = new ReadOnlyDoubleWrapper(this, "knownWordFraction", Double.NaN);
  private final StringBuilder text = new StringBuilder();

  /** One step's output: its segments in order. */
  public ObservableList<Segment> segments() {
    return segments;
  }

  public ReadOnlyIntegerProperty stepsProperty() {
    return steps.getReadOnlyProperty();
  }

  public ReadOnlyIntegerProperty tokensProperty() {
    return tokens.getReadOnlyProperty();
  }

  /** Generated tokens per second of wall time so far (final: the backend's figure). */
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

  /** The generated text so far (segments concatenated). */
  public String text() {
    return text.toString();
  }

  /** Black-box draws per step, on average; NaN before the first step. */
  public double meanSamplerCallsPerStep() {
    return steps.get() == 0 ? Double.NaN : (double) samplerCalls.get() / steps.get();
  }

  /** Tokens per step, on average; NaN before the first step. */
  public double tokensPerStep() {
    return steps.get() == 0 ? Double.NaN : (double) tokens.get() / steps.get();
  }

  /**
   * The run's figures line as the Generator shows it: "4.9 tokens/s · 6 steps · 21 tokens · 3.50
   * tokens/step[ · 4181.0 sampler calls/step · 2 fallbacks] · 100% known words · done: end of text";
   * the sampler part for CALM runs only, the known words once measured. The state alone before the
   * first step.
   */
  public String figuresLine(boolean calm) {
    if (steps.get() == 0) {
      return state.get();
    }
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%s tokens/s · %d steps · %d tokens · %.2f tokens/step",
        rate(tokensPerSecond.get()), steps.get(), tokens.get(), tokensPerStep()));
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
    return new javafx.beans.Observable[] {steps, tokens, tokensPerSecond, samplerCalls, fallbacks, state, knownWordFraction};
  }

  /** A rate for people: "0.42", "3.1", "85". */
  public static String rate(double perSecond) {
    return String.format(Locale.ROOT, perSecond < 1 ? "%.2f" : perSecond < 10 ? "%.1f" : "%.0f", perSecond);
  }

  void reset(String newState) {
    segments.clear();
    text.setLength(0);
    steps.set(0);
    tokens.set(0);
    tokensPerSecond.set(0);
    samplerCalls.set(0);
    fallbacks.set(0);
    knownWordFraction.set(Double.NaN);
    state.set(newState);
  }

  void add(java.util.List<Segment> batch) {
    if (batch.isEmpty()) {
      return;
    }
    int t = tokens.get();
    long calls = samplerCalls.get();
    int fb = fallbacks.get();
    for (Segment s : batch) {
      t += s.tokens();
      calls += s.samplerCalls();
      fb += s.fellBack() ? 1 : 0;
      text.append(s.text());
    }
    Segment last = batch.get(batch.size() - 1);
    segments.addAll(batch);
    steps.set(last.step() + 1);
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
