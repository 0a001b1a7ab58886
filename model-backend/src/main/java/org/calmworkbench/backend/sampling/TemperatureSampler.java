package org.calmworkbench.backend.sampling;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import org.calmworkbench.backend.CalmException;

/**
 * Likelihood-free temperature sampling (Shao et al. 2025, section on temperature sampling): draws
 * from {@code P(x)^(1/T) / Z} using only a {@link BlackBoxSampler} for P, for T in (0, 1]. Write
 * {@code 1/T = n + alpha} with {@code n = floor(1/T)} and alpha in [0, 1).
 *
 * <p><b>Exact (Algorithm 1).</b> Stage 1: draw n samples; unless all are the same x, reject and
 * restart. That leaves x with probability proportional to {@code P(x)^n}. Stage 2 (alpha > 0): keep
 * x with probability {@code P(x)^alpha} by the {@link BernoulliFactory} whose coin is "a fresh
 * draw equals x"; on failure restart from stage 1. An attempt thus ends in x with probability
 * {@code P(x)^n P(x)^alpha = P(x)^(1/T)}, and conditioning on acceptance gives exactly
 * {@code P^(1/T)/Z}. At T = 1 the first draw is returned. Stage 1 stops at the first draw that
 * differs from x: the remaining draws would be thrown away anyway, so this changes the cost but
 * not the law. The expected cost grows like {@code 1/sum_x P(x)^(1/T)}, which is huge for a
 * spread-out P at low T, so every call counts against {@code maxSamplerCalls}; when the budget is
 * spent the output comes from the batch approximation over all draws made so far, and the sample
 * says so ({@link TemperatureSample#fellBack()}).
 *
 * <p><b>Batch approximation (Algorithm 2).</b> Draw N candidates and count repeats c(x). For an
 * integer exponent m, {@code C(c(x), m) / C(N, m)} is an unbiased estimate of {@code P(x)^m} (the
 * chance that m of the N draws picked without replacement are all x), so choose x with weight
 * {@code C(c(x), m)}, starting at {@code m = 1/T}; when no candidate was seen m times, step down to
 * {@code m - 1} (a warmer temperature), ending at m = 1 (plain sampling from the candidates).
 *
 * <p><b>Fractional 1/T</b> (our extension; the paper's Algorithm 2 covers integer 1/T). We use the
 * generalised binomial {@code C(c, m) = Gamma(c+1) / (Gamma(m+1) Gamma(c-m+1))} at the levels
 * {@code m = 1/T, 1/T - 1, ..., 1 + alpha}, a candidate being eligible at level m when
 * {@code c > m - 1}, which is exactly where this weight is positive. For integer 1/T this is
 * Algorithm 2 unchanged; it is continuous in T (as alpha goes to 0 it tends to {@code C(c, n)};
 * as alpha goes to 1 the weight of {@code c = n} tends to 0, as at the next integer level); and
 * since {@code Gamma(c+1)/Gamma(c-m+1) ~ c^m}, the weights tend to {@code P^m} as N grows. Unlike
 * the integer case the weight is not unbiased for {@code P^m}: no estimator from N draws can be,
 * because only polynomials in P of degree at most N have unbiased estimators. All batch outputs
 * are biased (a ratio of estimates, the warmer levels, and for fractional 1/T the weight itself);
 * the bias shrinks as N grows. See docs/SAMPLING.md.
 *
 * <p>Holds no mutable state: share it between threads, each with its own {@link SplittableRandom}.
 *
 * @param <T> the drawn value, compared with {@code equals}
 */
public final class TemperatureSampler<T> {
  /** Budget of black-box calls for one exact output before falling back to the batch estimate. */
  public static final int DEFAULT_MAX_SAMPLER_CALLS = 10_000;

  /** 1/T within this of an integer counts as that integer (0.1 is not exactly 1/10 in binary). */
  static final double INTEGER_SNAP = 1e-9;

  private final BlackBoxSampler<T> base;
  private final double temperature;
  private final double inverseTemperature; // 1/T = n + alpha
  private final int wholePart; // n = floor(1/T), the identical draws stage 1 needs
  private final double fractionalPart; // alpha in [0, 1), the Bernoulli-factory exponent
  private final int maxSamplerCalls;

  public TemperatureSampler(BlackBoxSampler<T> base, double temperature) {
    this(base, temperature, DEFAULT_MAX_SAMPLER_CALLS);
  }

  /**
   * @param temperature T in (0, 1]
   * @param maxSamplerCalls black-box calls one exact output may spend, at least 1
   * @throws CalmException if the temperature or the budget is out of range
   */
  public TemperatureSampler(BlackBoxSampler<T> base, double temperature, int maxSamplerCalls) {
    this.base = Objects.requireNonNull(base, "base");
    this.inverseTemperature = inverseTemperature(temperature);
    this.temperature = temperature;
    this.wholePart = (int) Math.floor(inverseTemperature);
    this.fractionalPart = inverseTemperature - wholePart;
    if (maxSamplerCalls < 1) {
      throw new CalmException("maximum sampler calls must be >= 1, got " + maxSamplerCalls);
    }
    this.maxSamplerCalls = maxSamplerCalls;
  }

  /**
   * {@code 1/T}, snapped to the nearest integer when within {@link #INTEGER_SNAP} of it.
   *
   * @throws CalmException unless T is in (0, 1]
   */
  public static double inverseTemperature(double temperature) {
    if (!(temperature > 0 && temperature <= 1)) {
      throw new CalmException("temperature must be in (0, 1], got " + temperature);
    }
    double inverse = 1.0 / temperature;
    if (Double.isInfinite(inverse) || inverse > Integer.MAX_VALUE) {
      throw new CalmException("temperature " + temperature + " is too close to 0: use T >= 1e-9");
    }
    double nearest = Math.rint(inverse);
    return Math.abs(inverse - nearest) < INTEGER_SNAP ? nearest : inverse;
  }

  /**
   * The law the exact sampler draws from: {@code p^(1/T) / sum p^(1/T)}, computed relative to the
   * largest p so that small T does not underflow. Entries with p = 0 stay 0.
   */
  public static double[] targetDistribution(double[] probabilities, double temperature) {
    double exponent = inverseTemperature(temperature);
    double max = 0;
    for (double p : probabilities) {
      max = Math.max(max, p);
    }
    if (!(max > 0)) {
      throw new IllegalArgumentException("no positive probability");
    }
    double[] target = new double[probabilities.length];
    double sum = 0;
    for (int i = 0; i < target.length; i++) {
      target[i] = probabilities[i] > 0 ? Math.exp(exponent * Math.log(probabilities[i] / max)) : 0;
      sum += target[i];
    }
    for (int i = 0; i < target.length; i++) {
      target[i] /= sum;
    }
    return target;
  }

  public double temperature() {
    return temperature;
  }

  /** {@code 1/T} after snapping. */
  public double inverseTemperature() {
    return inverseTemperature;
  }

  public int maxSamplerCalls() {
    return maxSamplerCalls;
  }

  /** One draw from exactly {@code P^(1/T)/Z}, unless the budget runs out (then it falls back). */
  public TemperatureSample<T> sampleExact(SplittableRandom rng) {
    Draws<T> draws = new Draws<>(base, rng, maxSamplerCalls);
    int restarts = 0;
    attempt:
    while (draws.canDraw()) {
      // Stage 1: n identical draws, i.e. x with probability P(x)^n.
      T x = draws.draw();
      for (int i = 1; i < wholePart; i++) {
        if (!draws.canDraw()) {
          break attempt;
        }
        if (!draws.draw().equals(x)) {
          restarts++;
          continue attempt;
        }
      }
      if (fractionalPart == 0) {
        return new TemperatureSample<>(x, draws.calls, false, restarts, inverseTemperature);
      }
      // Stage 2: keep x with probability P(x)^alpha; the coin is "a fresh draw equals x".
      for (int round = 1; ; round++) {
        if (!draws.canDraw()) {
          break attempt;
        }
        boolean heads = draws.draw().equals(x);
        BernoulliFactory.Step step = BernoulliFactory.step(heads, round, fractionalPart, rng);
        if (step == BernoulliFactory.Step.SUCCESS) {
          return new TemperatureSample<>(x, draws.calls, false, restarts, inverseTemperature);
        }
        if (step == BernoulliFactory.Step.FAILURE) {
          restarts++;
          continue attempt;
        }
      }
    }
    // Budget spent: every draw so far was an independent draw from P, so use them as candidates.
    // They are conditioned on "the exact sampler had not accepted yet", a mild bias exactly when
    // the budget matters (acceptance per call is then rare).
    BatchChoice<T> choice = chooseFromCounts(draws.counts, inverseTemperature, rng);
    return new TemperatureSample<>(choice.value(), draws.calls, true, restarts, choice.level());
  }

  /** One draw from the batch approximation with {@code candidates} fresh black-box draws. */
  public TemperatureSample<T> sampleBatch(SplittableRandom rng, int candidates) {
    if (candidates < 1) {
      throw new CalmException("candidates must be >= 1, got " + candidates);
    }
    Map<T, Integer> counts = new HashMap<>();
    for (int i = 0; i < candidates; i++) {
      T candidate = Objects.requireNonNull(base.sample(rng), "sampler returned null");
      counts.merge(candidate, 1, Integer::sum);
    }
    BatchChoice<T> choice = chooseFromCounts(counts, inverseTemperature, rng);
    return new TemperatureSample<>(choice.value(), candidates, false, 0, choice.level());
  }

  /** The candidate the batch approximation chose and the level (exponent) it used. */
  public record BatchChoice<T>(T value, double level) {}

  /**
   * The distribution Algorithm 2 chooses from, given the counts: the first level that has an
   * eligible candidate, those candidates, and their probabilities (normalised weights).
   */
  public record BatchWeights<T>(double level, List<T> values, double[] probabilities) {
    public BatchWeights {
      values = List.copyOf(values);
      probabilities = probabilities.clone();
    }

    @Override
    public double[] probabilities() {
      return probabilities.clone();
    }

    /** Probability of choosing {@code value}; 0 when it is not eligible at this level. */
    public double probabilityOf(T value) {
      int index = values.indexOf(value);
      return index < 0 ? 0 : probabilities[index];
    }
  }

  /** Algorithm 2 over already-counted candidates: one choice from {@link #batchWeights}. */
  public static <T> BatchChoice<T> chooseFromCounts(
      Map<T, Integer> counts, double exponent, SplittableRandom rng) {
    BatchWeights<T> weights = batchWeights(counts, exponent);
    List<T> values = weights.values();
    double u = rng.nextDouble();
    for (int i = 0; i < values.size() - 1; i++) {
      u -= weights.probabilities[i];
      if (u < 0) {
        return new BatchChoice<>(values.get(i), weights.level());
      }
    }
    return new BatchChoice<>(values.get(values.size() - 1), weights.level());
  }

  /**
   * The weights of Algorithm 2: at levels {@code m = exponent, exponent - 1, ...} down to the last
   * one >= 1, the candidates with {@code count > m - 1} are eligible, with weight
   * {@code C(count, m)} (the generalised binomial for fractional m); the first level with an
   * eligible candidate decides. Zero counts are ignored. Order follows the map's iteration order.
   *
   * @param counts how often each distinct candidate was drawn; at least one positive count
   * @param exponent {@code 1/T} >= 1
   */
  public static <T> BatchWeights<T> batchWeights(Map<T, Integer> counts, double exponent) {
    if (!(exponent >= 1)) {
      throw new IllegalArgumentException("exponent 1/T must be >= 1, got " + exponent);
    }
    List<T> eligible = new ArrayList<>(counts.size());
    double[] logWeights = new double[counts.size()];
    for (double level = exponent; level >= 1; level -= 1) {
      eligible.clear();
      double maxLogWeight = Double.NEGATIVE_INFINITY;
      for (Map.Entry<T, Integer> entry : counts.entrySet()) {
        int count = entry.getValue();
        if (count > level - 1 && count > 0) {
          // log C(count, level) without the common -log Gamma(level + 1).
          double logWeight = LogGamma.of(count + 1.0) - LogGamma.of(count - level + 1.0);
          logWeights[eligible.size()] = logWeight;
          eligible.add(entry.getKey());
          maxLogWeight = Math.max(maxLogWeight, logWeight);
        }
      }
      if (!eligible.isEmpty()) {
        double[] probabilities = new double[eligible.size()];
        double total = 0;
        for (int i = 0; i < probabilities.length; i++) {
          probabilities[i] = Math.exp(logWeights[i] - maxLogWeight); // in (0, 1], no overflow
          total += probabilities[i];
        }
        for (int i = 0; i < probabilities.length; i++) {
          probabilities[i] /= total;
        }
        return new BatchWeights<>(level, eligible, probabilities);
      }
    }
    throw new IllegalArgumentException("no candidate has a positive count");
  }

  /** Black-box draws for one output: counted, capped, and remembered for the fallback. */
  private static final class Draws<T> {
    private final BlackBoxSampler<T> base;
    private final SplittableRandom rng;
    private final int budget;
    private final Map<T, Integer> counts = new HashMap<>();
    private int calls;

    Draws(BlackBoxSampler<T> base, SplittableRandom rng, int budget) {
      this.base = base;
      this.rng = rng;
      this.budget = budget;
    }

    boolean canDraw() {
      return calls < budget;
    }

    T draw() {
      T value = Objects.requireNonNull(base.sample(rng), "sampler returned null");
      calls++;
      counts.merge(value, 1, Integer::sum);
      return value;
    }
  }
}
