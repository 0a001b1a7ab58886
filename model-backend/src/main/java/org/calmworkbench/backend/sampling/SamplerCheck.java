package org.calmworkbench.backend.sampling;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.Locale;
import java.util.SplittableRandom;
import org.calmworkbench.backend.CalmException;

/**
 * The experiment behind {@code ./calm sampler-check}: wrap a categorical distribution with known
 * probabilities as a black box, sample it many times at temperature T with the exact or the batch
 * sampler, and compare the observed frequencies with the target {@code p^(1/T)/Z}.
 */
public final class SamplerCheck {
  /** Default number of batch candidates N when the user gives none. */
  public static final int DEFAULT_CANDIDATES = 64;

  /** Which temperature sampler to check. */
  public enum Method {
    EXACT,
    BATCH;

    /** {@code "exact"} or {@code "batch"}, any case. */
    public static Method parse(String name) {
      if (name != null) {
        for (Method method : values()) {
          if (method.name().equalsIgnoreCase(name.trim())) {
            return method;
          }
        }
      }
      throw new CalmException("method must be exact or batch, got " + name);
    }

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Everything that determines a check, seed included.
   *
   * @param probabilities the categorical distribution p; must be >= 0 and sum to 1 within 1e-3
   * @param temperature T in (0, 1]
   * @param method exact (Algorithm 1) or batch (Algorithm 2)
   * @param candidates N for the batch method (ignored by exact), >= 1
   * @param draws outputs to sample, >= 1
   * @param seed seed of the one {@link SplittableRandom} all randomness comes from
   * @param maxSamplerCalls exact method's budget per output before it falls back, >= 1
   */
  public record Config(
      double[] probabilities,
      double temperature,
      Method method,
      int candidates,
      int draws,
      long seed,
      int maxSamplerCalls) {
    public Config {
      probabilities = probabilities == null ? null : probabilities.clone();
    }

    @Override
    public double[] probabilities() {
      return probabilities == null ? null : probabilities.clone();
    }
  }

  /**
   * What a check found.
   *
   * @param probabilities p after validation (normalised)
   * @param frequencies observed share of each category over all draws
   * @param target {@code p^(1/T)/Z}
   * @param totalVariation {@code 0.5 * sum |frequencies - target|}
   * @param meanSamplerCalls black-box calls per output
   * @param meanRestarts exact method's rejected attempts per output (0 for batch)
   * @param fallbacks outputs for which the exact method hit its budget and used the batch estimate
   */
  public record Result(
      Config config,
      double[] probabilities,
      double[] frequencies,
      double[] target,
      double totalVariation,
      double meanSamplerCalls,
      double meanRestarts,
      int fallbacks) {
    public Result {
      probabilities = probabilities.clone();
      frequencies = frequencies.clone();
      target = target.clone();
    }

    @Override
    public double[] probabilities() {
      return probabilities.clone();
    }

    @Override
    public double[] frequencies() {
      return frequencies.clone();
    }

    @Override
    public double[] target() {
      return target.clone();
    }

    /** The result as pretty-printed JSON with snake_case keys, for {@code --json}. */
    public String toJson() {
      JsonObject json = new JsonObject();
      json.addProperty("method", config.method().label());
      json.addProperty("temperature", config.temperature());
      if (config.method() == Method.BATCH) {
        json.addProperty("candidates", config.candidates());
      } else {
        json.addProperty("max_sampler_calls", config.maxSamplerCalls());
      }
      json.addProperty("draws", config.draws());
      json.addProperty("seed", config.seed());
      json.add("probabilities", array(probabilities));
      json.add("frequencies", array(frequencies));
      json.add("target", array(target));
      json.addProperty("total_variation", totalVariation);
      json.addProperty("mean_sampler_calls", meanSamplerCalls);
      json.addProperty("mean_restarts", meanRestarts);
      json.addProperty("fallbacks", fallbacks);
      return new GsonBuilder().setPrettyPrinting().create().toJson(json);
    }

    private static JsonArray array(double[] values) {
      JsonArray array = new JsonArray(values.length);
      for (double value : values) {
        array.add(value);
      }
      return array;
    }
  }

  private SamplerCheck() {}

  /** A check with the default exact-method budget. */
  public static Result run(
      double[] probabilities,
      double temperature,
      Method method,
      int candidates,
      int draws,
      long seed) {
    return run(new Config(probabilities, temperature, method, candidates, draws, seed,
        TemperatureSampler.DEFAULT_MAX_SAMPLER_CALLS));
  }

  /**
   * Runs the check.
   *
   * @throws CalmException naming the offending value when an input is out of range
   */
  public static Result run(Config config) {
    CategoricalSampler categorical = CategoricalSampler.of(config.probabilities());
    if (config.method() == null) {
      throw new CalmException("method must be exact or batch, got nothing");
    }
    if (config.draws() < 1) {
      throw new CalmException("draws must be >= 1, got " + config.draws());
    }
    if (config.candidates() < 1) {
      throw new CalmException("candidates must be >= 1, got " + config.candidates());
    }
    TemperatureSampler<Integer> sampler =
        new TemperatureSampler<>(categorical, config.temperature(), config.maxSamplerCalls());
    double[] probabilities = categorical.probabilities();
    double[] target = TemperatureSampler.targetDistribution(probabilities, config.temperature());

    SplittableRandom rng = new SplittableRandom(config.seed());
    long[] hits = new long[probabilities.length];
    long calls = 0;
    long restarts = 0;
    int fallbacks = 0;
    for (int draw = 0; draw < config.draws(); draw++) {
      TemperatureSample<Integer> sample = switch (config.method()) {
        case EXACT -> sampler.sampleExact(rng);
        case BATCH -> sampler.sampleBatch(rng, config.candidates());
      };
      hits[sample.value()]++;
      calls += sample.samplerCalls();
      restarts += sample.restarts();
      fallbacks += sample.fellBack() ? 1 : 0;
    }
    double[] frequencies = new double[hits.length];
    for (int i = 0; i < hits.length; i++) {
      frequencies[i] = (double) hits[i] / config.draws();
    }
    return new Result(config, probabilities, frequencies, target,
        totalVariation(frequencies, target), (double) calls / config.draws(),
        (double) restarts / config.draws(), fallbacks);
  }

  /** Total variation distance {@code 0.5 * sum |a - b|} between two distributions on k outcomes. */
  public static double totalVariation(double[] a, double[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("lengths differ: " + a.length + " vs " + b.length);
    }
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += Math.abs(a[i] - b[i]);
    }
    return 0.5 * sum;
  }
}
