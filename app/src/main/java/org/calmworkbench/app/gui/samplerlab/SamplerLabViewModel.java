package org.calmworkbench.app.gui.samplerlab;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.calmworkbench.app.gui.WorkbenchContext;
import org.calmworkbench.app.gui.service.Job;
import org.calmworkbench.app.gui.service.JobSpec;
import org.calmworkbench.app.gui.service.JobState;
import org.calmworkbench.backend.sampling.SamplerCheck;
import org.calmworkbench.backend.sampling.ExactSamplerCost;
import org.calmworkbench.backend.sampling.TemperatureSampler;

/**
 * The Sampler lab's state and commands: a categorical distribution (a preset, a row of weight
 * sliders, or typed values; always shown normalised), a temperature, the exact sampler
 * (Algorithm 1) and/or the batch approximation (Algorithm 2, N candidates), draws and seed. Run
 * calls {@link SamplerCheck} on the workbench service (never the UI thread) and publishes a
 * {@link Outcome}: the analytic target {@code p^(1/T)/Z} and each method's frequencies, total
 * variation and mean sampler calls.
 */
public final class SamplerLabViewModel {
  public static final String KIND = "sampler-lab";
  public static final double MIN_TEMPERATURE = 0.05;
  public static final int MIN_CATEGORIES = 2;
  public static final int MAX_CATEGORIES = 12;
  public static final int MAX_DRAWS = 200_000;
  public static final int MAX_CANDIDATES = 100_000;
  /** Refuse runs whose exact sampler would need more black-box calls than this (about ten seconds). */
  public static final double MAX_EXPECTED_EXACT_CALLS = 1e8;

  /** A named distribution to start from. */
  public record Preset(String name, double[] probabilities) {
    public Preset {
      probabilities = probabilities.clone();
    }

    @Override
    public double[] probabilities() {
      return probabilities.clone();
    }

    @Override
    public String toString() {
      return name;
    }
  }

  public static final List<Preset> PRESETS = List.of(
      new Preset("skewed (0.5, 0.25, 0.15, 0.07, 0.03)", new double[] {0.5, 0.25, 0.15, 0.07, 0.03}),
      new Preset("two close leaders (0.35, 0.3, 0.2, 0.1, 0.05)", new double[] {0.35, 0.3, 0.2, 0.1, 0.05}),
      new Preset("uniform over 4", new double[] {0.25, 0.25, 0.25, 0.25}),
      new Preset("one clear favourite (0.8, 0.1, 0.05, 0.05)", new double[] {0.8, 0.1, 0.05, 0.05}),
      new Preset("long tail (Zipf over 8)", zipf(8)));

  /** What one method produced. */
  public record MethodResult(String name, double[] frequencies, double totalVariation, double meanSamplerCalls,
      double meanRestarts, int fallbacks, SamplerCheck.Result raw) {}

  /**
   * One finished run.
   *
   * @param probabilities p (normalised)
   * @param target {@code p^(1/T)/Z}
   * @param methods the exact and/or batch results, in that order
   */
  public record Outcome(double temperature, int draws, double[] probabilities, double[] target,
      List<MethodResult> methods) {}

  private final WorkbenchContext ctx;
  private final ObservableList<DoubleProperty> weights = FXCollections.observableArrayList();
  private final ObjectProperty<Preset> preset = new SimpleObjectProperty<>(this, "preset", PRESETS.get(0));
  private final StringProperty typed = new SimpleStringProperty(this, "typed", "");
  private final DoubleProperty temperature = new SimpleDoubleProperty(this, "temperature", 0.5);
  private final BooleanProperty exact = new SimpleBooleanProperty(this, "exact", true);
  private final BooleanProperty batch = new SimpleBooleanProperty(this, "batch", true);
  private final StringProperty candidates = new SimpleStringProperty(this, "candidates", "8");
  private final StringProperty draws = new SimpleStringProperty(this, "draws", "20000");
  private final StringProperty seed = new SimpleStringProperty(this, "seed", "1");
  private final ReadOnlyStringWrapper validationMessage = new ReadOnlyStringWrapper(this, "validationMessage", "");
  private final ReadOnlyBooleanWrapper valid = new ReadOnlyBooleanWrapper(this, "valid", true);
  private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "");
  private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(this, "running", false);
  private final ReadOnlyObjectWrapper<Outcome> outcome = new ReadOnlyObjectWrapper<>(this, "outcome");
  /** Bumped whenever a weight changes, so bindings over the weights can depend on one property. */
  private final ReadOnlyObjectWrapper<double[]> normalised = new ReadOnlyObjectWrapper<>(this, "normalised", new double[0]);
  private final BooleanBinding canRun;
  private Job job;
  private String typedProblem = ""; // why the typed values were refused; cleared by the next change

  public SamplerLabViewModel(WorkbenchContext ctx) {
    this.ctx = ctx;
    preset.addListener((o, a, b) -> {
      if (b != null) {
        setWeights(b.probabilities());
      }
    });
    for (StringProperty p : List.of(candidates, draws, seed)) {
      p.addListener((o, a, b) -> validate());
    }
    exact.addListener((o, a, b) -> validate());
    batch.addListener((o, a, b) -> validate());
    temperature.addListener((o, a, b) -> {
      outcome.set(null); // the bars showed another temperature
      validate();
    });
    canRun = valid.getReadOnlyProperty().and(running.getReadOnlyProperty().not());
    setWeights(preset.get().probabilities());
  }

  // ---- properties ----------------------------------------------------------------------------

  /** One weight in [0, 1] per category; the distribution is the weights divided by their sum. */
  public ObservableList<DoubleProperty> weights() {
    return weights;
  }

  public ObjectProperty<Preset> presetProperty() {
    return preset;
  }

  /** Probabilities as typed ("0.5, 0.3, 0.2"); applied with {@link #applyTyped()}. */
  public StringProperty typedProperty() {
    return typed;
  }

  public DoubleProperty temperatureProperty() {
    return temperature;
  }

  /** Run the exact sampler (Algorithm 1). */
  public BooleanProperty exactProperty() {
    return exact;
  }

  /** Run the batch approximation (Algorithm 2). */
  public BooleanProperty batchProperty() {
    return batch;
  }

  public StringProperty candidatesProperty() {
    return candidates;
  }

  public StringProperty drawsProperty() {
    return draws;
  }

  public StringProperty seedProperty() {
    return seed;
  }

  public ReadOnlyStringProperty validationMessageProperty() {
    return validationMessage.getReadOnlyProperty();
  }

  public ReadOnlyBooleanProperty validProperty() {
    return valid.getReadOnlyProperty();
  }

  public ReadOnlyStringProperty statusProperty() {
    return status.getReadOnlyProperty();
  }

  public ReadOnlyBooleanProperty runningProperty() {
    return running.getReadOnlyProperty();
  }

  /** The last finished run; null before one. */
  public ReadOnlyObjectProperty<Outcome> outcomeProperty() {
    return outcome.getReadOnlyProperty();
  }

  /** The current distribution, normalised (empty while every weight is 0). */
  public ReadOnlyObjectProperty<double[]> normalisedProperty() {
    return normalised.getReadOnlyProperty();
  }

  public BooleanBinding canRunBinding() {
    return canRun;
  }

  /** The current (or last) job. */
  public Job job() {
    return job;
  }

  // ---- commands ------------------------------------------------------------------------------

  /** Category names: A, B, C, ... */
  public static String categoryName(int i) {
    return String.valueOf((char) ('A' + i));
  }

  /** Replaces the categories by these weights (each clamped to [0, 1] after scaling by the largest). */
  public void setWeights(double[] values) {
    double max = 0;
    for (double v : values) {
      max = Math.max(max, v);
    }
    List<DoubleProperty> list = new ArrayList<>();
    for (double v : values) {
      DoubleProperty w = new SimpleDoubleProperty(max > 0 ? v / max : 0);
      w.addListener((o, a, b) -> onWeightsChanged());
      list.add(w);
    }
    weights.setAll(list);
    onWeightsChanged();
  }

  /** Adds a category with a small weight; at most {@value #MAX_CATEGORIES}. */
  public void addCategory() {
    if (weights.size() >= MAX_CATEGORIES) {
      status.set("At most " + MAX_CATEGORIES + " categories, so the bars stay readable.");
      return;
    }
    double[] w = currentWeights();
    double[] more = java.util.Arrays.copyOf(w, w.length + 1);
    more[w.length] = 0.1;
    setWeightsRaw(more);
  }

  /** Removes the last category; at least {@value #MIN_CATEGORIES} stay. */
  public void removeCategory() {
    if (weights.size() <= MIN_CATEGORIES) {
      status.set("At least " + MIN_CATEGORIES + " categories are needed.");
      return;
    }
    setWeightsRaw(java.util.Arrays.copyOf(currentWeights(), weights.size() - 1));
  }

  /**
   * Parses {@link #typedProperty()} ("0.5, 0.3, 0.2"; commas, semicolons or spaces) and makes it
   * the distribution, normalised. Returns false, with the reason in the validation message, for
   * anything else: not a number, negative, not finite, all zero, too few or too many values.
   */
  public boolean applyTyped() {
    try {
      double[] p = parseProbabilities(typed.get());
      setWeights(p);
      status.set("Using " + format(normalise(p)) + (Math.abs(sum(p) - 1) > 1e-9
          ? String.format(Locale.ROOT, " (your values summed to %.4g; divided by the sum)", sum(p)) : ""));
      return true;
    } catch (IllegalArgumentException e) {
      typedProblem = e.getMessage();
      validate();
      return false;
    }
  }

  /**
   * The typed values as numbers.
   *
   * @throws IllegalArgumentException naming the bad entry
   */
  public static double[] parseProbabilities(String text) {
    String t = text == null ? "" : text.strip();
    if (t.isEmpty()) {
      throw new IllegalArgumentException("type probabilities separated by commas, e.g. 0.5, 0.3, 0.2");
    }
    String[] parts = t.split("[,;\\s]+");
    if (parts.length < MIN_CATEGORIES || parts.length > MAX_CATEGORIES) {
      throw new IllegalArgumentException("give between " + MIN_CATEGORIES + " and " + MAX_CATEGORIES
          + " probabilities, got " + parts.length);
    }
    double[] p = new double[parts.length];
    for (int i = 0; i < parts.length; i++) {
      double v;
      try {
        v = Double.parseDouble(parts[i]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("probability " + (i + 1) + " ('" + parts[i] + "') is not a number");
      }
      if (!Double.isFinite(v) || v < 0) {
        throw new IllegalArgumentException("probability " + (i + 1) + " is " + parts[i]
            + ": every probability must be a finite number >= 0");
      }
      p[i] = v;
    }
    if (!(sum(p) > 0)) {
      throw new IllegalArgumentException("all probabilities are 0: at least one must be positive");
    }
    return p;
  }

  /** Runs the selected methods on the service thread; the result lands in {@link #outcomeProperty()}. */
  public Job run() {
    if (!valid.get()) {
      status.set("Not started: fix the settings first.");
      return null;
    }
    if (running.get()) {
      status.set("A run is going; wait for it or stop it.");
      return null;
    }
    double[] p = normalised.get();
    double t = temperature.get();
    int n = Integer.parseInt(candidates.get().strip());
    int d = Integer.parseInt(draws.get().strip());
    long s = Long.parseLong(seed.get().strip());
    boolean runExact = exact.get();
    boolean runBatch = batch.get();
    running.set(true);
    status.set(String.format(Locale.ROOT, "Sampling %d draws at T = %.2f…", d, t));
    // Interleaved: pure Java and short, so it may run between the steps of a training job.
    job = ctx.service().submit(JobSpec.of(String.format(Locale.ROOT, "Sampler lab T=%.2f", t), KIND).quiet().interleaved(),
        c -> {
          List<MethodResult> methods = new ArrayList<>();
          if (runExact) {
            c.progress(-1, Double.NaN, "exact sampler (Algorithm 1)");
            methods.add(result("exact (Algorithm 1)", SamplerCheck.run(config(p, t, SamplerCheck.Method.EXACT, n, d, s))));
          }
          c.checkCancelled();
          if (runBatch) {
            c.progress(-1, Double.NaN, "batch approximation (Algorithm 2)");
            methods.add(result("batch N=" + n + " (Algorithm 2)",
                SamplerCheck.run(config(p, t, SamplerCheck.Method.BATCH, n, d, s))));
          }
          return new Outcome(t, d, p, TemperatureSampler.targetDistribution(p, t), List.copyOf(methods));
        }, this::show);
    Job j = job;
    Runnable onEnd = () -> {
      running.set(false);
      if (j.state() == JobState.FAILED) {
        status.set("Failed: " + j.messageProperty().get());
      } else if (j.state() == JobState.CANCELLED) {
        status.set("Stopped.");
      }
    };
    if (j.state().isFinal()) {
      onEnd.run();
    } else {
      j.stateProperty().addListener((o, a, st) -> {
        if (st.isFinal()) {
          onEnd.run();
        }
      });
    }
    return j;
  }

  /** Cancels a run that has not started or is between its two methods. */
  public void stop() {
    if (job != null && !job.state().isFinal()) {
      job.cancel();
    }
  }

  /** The check the lab runs for one method; the same as {@code ./calm sampler-check} with these values. */
  public static SamplerCheck.Config config(double[] p, double t, SamplerCheck.Method m, int n, int draws, long seed) {
    return new SamplerCheck.Config(p, t, m, n, draws, seed, TemperatureSampler.DEFAULT_MAX_SAMPLER_CALLS);
  }

  // ---- internals -----------------------------------------------------------------------------

  private static MethodResult result(String name, SamplerCheck.Result r) {
    return new MethodResult(name, r.frequencies(), r.totalVariation(), r.meanSamplerCalls(), r.meanRestarts(),
        r.fallbacks(), r);
  }

  private void show(Outcome o) {
    outcome.set(o);
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "T = %.2f, %d draws:", o.temperature(), o.draws()));
    for (MethodResult m : o.methods()) {
      sb.append(String.format(Locale.ROOT, "  %s: TV %.4f, %.1f sampler calls per draw%s.", m.name(), m.totalVariation(),
          m.meanSamplerCalls(), m.fallbacks() > 0 ? ", " + m.fallbacks() + " fell back" : ""));
    }
    status.set(sb.toString());
  }

  private void setWeightsRaw(double[] values) {
    List<DoubleProperty> list = new ArrayList<>();
    for (double v : values) {
      DoubleProperty w = new SimpleDoubleProperty(Math.max(0, Math.min(1, v)));
      w.addListener((o, a, b) -> onWeightsChanged());
      list.add(w);
    }
    weights.setAll(list);
    onWeightsChanged();
  }

  private double[] currentWeights() {
    return weights.stream().mapToDouble(DoubleProperty::get).toArray();
  }

  private void onWeightsChanged() {
    double[] w = currentWeights();
    typedProblem = "";
    outcome.set(null); // the bars showed another distribution
    normalised.set(sum(w) > 0 ? normalise(w) : new double[0]);
    typed.set(format(normalised.get()));
    validate();
  }

  static double[] normalise(double[] w) {
    double s = sum(w);
    double[] p = new double[w.length];
    for (int i = 0; i < w.length; i++) {
      p[i] = w[i] / s;
    }
    return p;
  }

  private static double sum(double[] w) {
    double s = 0;
    for (double v : w) {
      s += v;
    }
    return s;
  }

  static String format(double[] p) {
    List<String> parts = new ArrayList<>();
    for (double v : p) {
      parts.add(String.format(Locale.ROOT, "%.3f", v));
    }
    return String.join(", ", parts);
  }

  private static double[] zipf(int k) {
    double[] p = new double[k];
    double s = 0;
    for (int i = 0; i < k; i++) {
      p[i] = 1.0 / (i + 1);
      s += p[i];
    }
    for (int i = 0; i < k; i++) {
      p[i] /= s;
    }
    return p;
  }

  private void validate() {
    List<String> problems = new ArrayList<>();
    if (!typedProblem.isEmpty()) {
      problems.add(typedProblem);
    }
    if (normalised.get().length == 0) {
      problems.add("every weight is 0: raise at least one slider");
    }
    double t = temperature.get();
    if (!(t > 0 && t <= 1)) {
      problems.add(String.format(Locale.ROOT, "temperature must be in (0, 1], got %s", t));
    }
    if (!exact.get() && !batch.get()) {
      problems.add("tick the exact sampler, the batch approximation, or both");
    }
    if (batch.get()) {
      parseInt(candidates.get(), "N (candidates)", 1, MAX_CANDIDATES, problems);
    }
    boolean drawsOk = parseInt(draws.get(), "draws", 1, MAX_DRAWS, problems);
    if (drawsOk && exact.get() && normalised.get().length > 0 && t > 0 && t <= 1) {
      int d = Integer.parseInt(draws.get().strip());
      // The cost model's expected calls, which the budget caps (it then falls back to batch).
      double perDraw = Math.min(TemperatureSampler.DEFAULT_MAX_SAMPLER_CALLS,
          ExactSamplerCost.expectedCalls(normalised.get(), t));
      if (d * perDraw > MAX_EXPECTED_EXACT_CALLS) {
        problems.add(String.format(Locale.ROOT, "the exact sampler would need about %.0f sampler calls per draw here"
            + " (%.1e in all): lower the draws, raise T, or untick it", perDraw, d * perDraw));
      }
    }
    try {
      Long.parseLong(seed.get() == null ? "" : seed.get().strip());
    } catch (NumberFormatException e) {
      problems.add("seed must be a whole number, got '" + seed.get() + "'");
    }
    validationMessage.set(String.join("\n", problems));
    valid.set(problems.isEmpty());
  }

  private static boolean parseInt(String text, String name, int lo, int hi, List<String> problems) {
    try {
      int v = Integer.parseInt(text == null ? "" : text.strip());
      if (v < lo || v > hi) {
        problems.add(name + " must be between " + lo + " and " + hi + ", got " + v);
        return false;
      }
      return true;
    } catch (NumberFormatException e) {
      problems.add(name + " must be a whole number, got '" + text + "'");
      return false;
    }
  }

  /** Bindings for the view: "p = 0.500" under each slider. */
  public javafx.beans.binding.StringBinding probabilityText(int i) {
    return Bindings.createStringBinding(() -> {
      double[] p = normalised.get();
      return i < p.length ? String.format(Locale.ROOT, "%.3f", p[i]) : "–";
    }, normalised);
  }
}
