package org.calmworkbench.backend.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.calmworkbench.backend.CalmException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The exact sampler (Algorithm 1): its law, its cost accounting and its call budget. */
class TemperatureSamplerTest {
  static final double[] FOUR_WAY = {0.5, 0.3, 0.15, 0.05};
  static final double[] TEN_WAY = zipf(10);

  static double[] zipf(int k) {
    double[] p = new double[k];
    double sum = 0;
    for (int i = 0; i < k; i++) {
      p[i] = 1.0 / (i + 1);
      sum += p[i];
    }
    for (int i = 0; i < k; i++) {
      p[i] /= sum;
    }
    return p;
  }

  static Stream<Arguments> distributionsAndTemperatures() {
    List<Arguments> cases = new ArrayList<>();
    for (double[] p : new double[][] {FOUR_WAY, TEN_WAY}) {
      for (double t : new double[] {1.0, 0.75, 0.5, 0.33, 0.3}) {
        cases.add(Arguments.of(p.length + "-way", p, t));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} at T = {2}")
  @MethodSource("distributionsAndTemperatures")
  void exactSamplerMatchesTemperedDistribution(String name, double[] p, double temperature) {
    int draws = 200_000;
    SamplerCheck.Result result =
        SamplerCheck.run(p, temperature, SamplerCheck.Method.EXACT, 1, draws, 2025);

    assertEquals(0, result.fallbacks(), "the default budget should never be reached here");
    assertTrue(result.totalVariation() < 0.01,
        "total variation to p^(1/T)/Z was " + result.totalVariation());
    // The accounting of calls and restarts matches the algorithm's expected cost (Wald's identity).
    double[] expected = expectedCallsAndRestarts(p, TemperatureSampler.inverseTemperature(temperature));
    assertEquals(expected[0], result.meanSamplerCalls(), 0.02 * expected[0], "mean sampler calls");
    assertEquals(expected[1], result.meanRestarts(), 0.02 * expected[1] + 0.01, "mean restarts");
  }

  /**
   * Expected black-box calls and restarts per output of Algorithm 1 with stage 1 stopping at the
   * first mismatch: {calls per attempt / acceptance, 1 / acceptance - 1}.
   */
  static double[] expectedCallsAndRestarts(double[] p, double exponent) {
    int n = (int) Math.floor(exponent);
    double alpha = exponent - n;
    double callsPerAttempt = 0;
    double acceptance = 0;
    for (double px : p) {
      double calls = 1; // the first draw x
      for (int j = 1; j < n; j++) {
        calls += Math.pow(px, j - 1); // extra draw j happens when the j - 1 before it matched x
      }
      if (alpha > 0) {
        double rounds = 0;
        double reach = 1; // P(round k happens)
        for (int k = 1; reach > 1e-15; k++) {
          rounds += reach;
          reach *= (1 - px) * (1 - alpha / k);
        }
        calls += Math.pow(px, n - 1) * rounds;
      }
      callsPerAttempt += px * calls;
      acceptance += Math.pow(px, exponent);
    }
    return new double[] {callsPerAttempt / acceptance, 1 / acceptance - 1};
  }

  @Test
  void exactSamplerWorksOnTokenChunks() {
    // K = 4 tokens, each independently 7 (p = 0.7) or 9: 16 chunks, a fresh int[] every draw.
    BlackBoxSampler<TokenChunk> chunks = rng -> {
      int[] ids = new int[4];
      for (int t = 0; t < 4; t++) {
        ids[t] = rng.nextDouble() < 0.7 ? 7 : 9;
      }
      return new TokenChunk(ids);
    };
    double[] p = new double[16];
    for (int code = 0; code < 16; code++) {
      p[code] = Math.pow(0.7, 4 - Integer.bitCount(code)) * Math.pow(0.3, Integer.bitCount(code));
    }
    double[] target = TemperatureSampler.targetDistribution(p, 0.5);
    TemperatureSampler<TokenChunk> sampler = new TemperatureSampler<>(chunks, 0.5);
    SplittableRandom rng = new SplittableRandom(8);
    int draws = 50_000;
    double[] frequencies = new double[16];
    for (int i = 0; i < draws; i++) {
      TokenChunk chunk = sampler.sampleExact(rng).value();
      int code = 0;
      for (int t = 0; t < 4; t++) {
        code |= (chunk.id(t) == 9 ? 1 : 0) << t;
      }
      frequencies[code] += 1.0 / draws;
    }
    assertTrue(SamplerCheck.totalVariation(frequencies, target) < 0.01,
        "TV " + SamplerCheck.totalVariation(frequencies, target));
  }

  @Test
  void temperatureOneReturnsTheFirstDraw() {
    Scripted<String> script = new Scripted<>("a", "b", "c");
    TemperatureSample<String> sample = new TemperatureSampler<>(script, 1.0).sampleExact(rng());
    assertEquals(new TemperatureSample<>("a", 1, false, 0, 1.0), sample);
  }

  @Test
  void stageOneRestartsUntilAllDrawsAgree() {
    // T = 1/3: three equal draws needed. "a" then "b" rejects at the 2nd draw (no 3rd drawn);
    // "c","c","d" rejects at the 3rd; "e","e","e" is accepted.
    Scripted<String> script = new Scripted<>("a", "b", "c", "c", "d", "e", "e", "e", "z");
    TemperatureSample<String> sample =
        new TemperatureSampler<>(script, 1.0 / 3).sampleExact(rng());
    assertEquals("e", sample.value());
    assertEquals(8, sample.samplerCalls());
    assertEquals(2, sample.restarts());
    assertFalse(sample.fellBack());
    assertEquals(8, script.calls);
  }

  @Test
  void stageTwoAcceptsWhenAFreshDrawMatches() {
    // T = 1/1.5: stage 1 is one draw; stage 2 flips "fresh draw equals x". A match in round 1
    // succeeds before the factory can fail, whatever the random numbers.
    Scripted<String> script = new Scripted<>("x", "x", "never");
    TemperatureSample<String> sample = new TemperatureSampler<>(script, 1 / 1.5).sampleExact(rng());
    assertEquals("x", sample.value());
    assertEquals(2, sample.samplerCalls());
    assertEquals(0, sample.restarts());
  }

  @Test
  void budgetOfOneCallFallsBackToThatDraw() {
    TemperatureSampler<Integer> sampler = new TemperatureSampler<>(CategoricalSampler.of(FOUR_WAY), 0.5, 1);
    SplittableRandom rng = rng();
    for (int i = 0; i < 100; i++) {
      TemperatureSample<Integer> sample = sampler.sampleExact(rng);
      assertTrue(sample.fellBack());
      assertEquals(1, sample.samplerCalls());
      assertEquals(1.0, sample.appliedExponent(), "one draw is never seen twice: level drops to 1");
    }
  }

  @Test
  void budgetCapsCallsAndFallbackChoosesAmongDrawnValues() {
    // Uniform over 1000 values at T = 0.25: acceptance per attempt is 1000 * 1e-12, so a budget
    // of 300 calls is always spent.
    int budget = 300;
    List<Integer> drawn = new ArrayList<>();
    CategoricalSampler uniform = CategoricalSampler.of(uniform(1000));
    BlackBoxSampler<Integer> recording = rng -> {
      Integer value = uniform.sample(rng);
      drawn.add(value);
      return value;
    };
    TemperatureSampler<Integer> sampler = new TemperatureSampler<>(recording, 0.25, budget);
    SplittableRandom rng = rng();
    for (int i = 0; i < 50; i++) {
      drawn.clear();
      TemperatureSample<Integer> sample = sampler.sampleExact(rng);
      assertTrue(sample.fellBack());
      assertEquals(budget, sample.samplerCalls());
      assertEquals(budget, drawn.size(), "calls counted = calls made");
      assertTrue(drawn.contains(sample.value()));
      assertTrue(sample.restarts() > 0);
      Map<Integer, Integer> counts = new HashMap<>();
      drawn.forEach(v -> counts.merge(v, 1, Integer::sum));
      int maxCount = counts.values().stream().max(Integer::compare).orElseThrow();
      // The fallback uses the highest level some draw reaches and picks a most-repeated one there.
      assertEquals(Math.min(4, maxCount), sample.appliedExponent());
      assertTrue(counts.get(sample.value()) >= sample.appliedExponent());
    }
  }

  @Test
  void callsReportedEqualCallsMade() {
    int[] made = {0};
    CategoricalSampler base = CategoricalSampler.of(TEN_WAY);
    BlackBoxSampler<Integer> counting = rng -> {
      made[0]++;
      return base.sample(rng);
    };
    TemperatureSampler<Integer> sampler = new TemperatureSampler<>(counting, 0.3, 40);
    SplittableRandom rng = rng();
    long reported = 0;
    int fallbacks = 0;
    for (int i = 0; i < 2000; i++) {
      TemperatureSample<Integer> sample = sampler.sampleExact(rng);
      assertTrue(sample.samplerCalls() <= 40);
      reported += sample.samplerCalls();
      fallbacks += sample.fellBack() ? 1 : 0;
    }
    assertEquals(made[0], reported);
    assertTrue(fallbacks > 0 && fallbacks < 2000, "a 40-call budget at T=0.3 sometimes runs out");
  }

  @ParameterizedTest
  @ValueSource(doubles = {1.5, 0.0, -0.5, Double.NaN})
  void refusesTemperaturesOutsideZeroToOne(double temperature) {
    CalmException error = assertThrows(CalmException.class,
        () -> new TemperatureSampler<>(CategoricalSampler.of(FOUR_WAY), temperature));
    assertEquals("temperature must be in (0, 1], got " + temperature, error.getMessage());
  }

  @Test
  void refusesBudgetBelowOne() {
    CalmException error = assertThrows(CalmException.class,
        () -> new TemperatureSampler<>(CategoricalSampler.of(FOUR_WAY), 0.5, 0));
    assertTrue(error.getMessage().contains("got 0"), error.getMessage());
  }

  @Test
  void inverseTemperatureSnapsRoundingNoiseToIntegers() {
    assertEquals(10.0, TemperatureSampler.inverseTemperature(0.1));
    assertEquals(3.0, TemperatureSampler.inverseTemperature(1.0 / 3));
    assertEquals(1 / 0.3, TemperatureSampler.inverseTemperature(0.3));
    assertNotEquals(3.0, TemperatureSampler.inverseTemperature(0.33));
  }

  @Test
  void targetDistributionSharpensAndSurvivesTinyTemperatures() {
    double[] target = TemperatureSampler.targetDistribution(new double[] {0.6, 0.4, 0.0}, 0.5);
    assertEquals(0.36 / 0.52, target[0], 1e-12);
    assertEquals(0.16 / 0.52, target[1], 1e-12);
    assertEquals(0.0, target[2]);
    double[] cold = TemperatureSampler.targetDistribution(new double[] {0.6, 0.4}, 0.001);
    assertEquals(1.0, cold[0], 1e-12, "0.6^1000 underflows unless computed relative to the max");
  }

  static double[] uniform(int k) {
    double[] p = new double[k];
    java.util.Arrays.fill(p, 1.0 / k);
    return p;
  }

  static SplittableRandom rng() {
    return new SplittableRandom(99);
  }

  /** Returns the given values in order, ignoring the random generator. */
  static final class Scripted<T> implements BlackBoxSampler<T> {
    private final Iterator<T> values;
    int calls;

    @SafeVarargs
    Scripted(T... values) {
      this.values = List.of(values).iterator();
    }

    @Override
    public T sample(SplittableRandom rng) {
      calls++;
      return values.next();
    }
  }
}
