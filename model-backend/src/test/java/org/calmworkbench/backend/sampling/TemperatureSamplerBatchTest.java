package org.calmworkbench.backend.sampling;

import static org.calmworkbench.backend.sampling.TemperatureSamplerTest.FOUR_WAY;
import static org.calmworkbench.backend.sampling.TemperatureSamplerTest.TEN_WAY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.calmworkbench.backend.CalmException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The batch approximation (Algorithm 2) and its extension to fractional 1/T. */
class TemperatureSamplerBatchTest {
  private static final int[] CANDIDATES = {4, 16, 64, 256};
  private static final int DRAWS = 40_000;

  static Stream<Arguments> biasCases() {
    return Stream.of(
        Arguments.of("4-way", FOUR_WAY, 0.3), // 1/T = 3.33
        Arguments.of("4-way", FOUR_WAY, 0.5), // 1/T = 2, the paper's Algorithm 2
        Arguments.of("4-way", FOUR_WAY, 0.75), // 1/T = 1.33, one fractional level
        Arguments.of("10-way", TEN_WAY, 0.5),
        Arguments.of("10-way", TEN_WAY, 0.4)); // 1/T = 2.5
  }

  @ParameterizedTest(name = "{0} at T = {2}")
  @MethodSource("biasCases")
  void biasShrinksAsCandidatesGrow(String name, double[] p, double temperature) {
    double[] target = TemperatureSampler.targetDistribution(p, temperature);
    // Sampling noise in TV at DRAWS outputs is about 0.4 * this; it bounds what we can resolve.
    double noise = 0;
    for (double q : target) {
      noise += Math.sqrt(q * (1 - q) / DRAWS);
    }
    double[] tv = new double[CANDIDATES.length];
    for (int i = 0; i < CANDIDATES.length; i++) {
      tv[i] = SamplerCheck.run(p, temperature, SamplerCheck.Method.BATCH, CANDIDATES[i], DRAWS, 11)
          .totalVariation();
    }
    String trace = java.util.Arrays.toString(tv) + ", noise " + noise;
    assertTrue(tv[0] > 3 * noise, "with N = 4 the bias should be visible: " + trace);
    for (int i = 1; i < tv.length; i++) {
      // About 1/N: each 4x more candidates should cut the bias well below 0.6x.
      assertTrue(tv[i] < 0.6 * tv[i - 1] + noise, "TV must shrink with N: " + trace);
    }
    assertTrue(tv[tv.length - 1] < 0.25 * tv[0], "N = 256 vs N = 4: " + trace);
  }

  @Test
  void temperatureOneIsUnbiasedForAnyN() {
    // Weights C(c, 1) = c: choosing proportionally to counts is one uniform candidate, a draw of P.
    SamplerCheck.Result result =
        SamplerCheck.run(TEN_WAY, 1.0, SamplerCheck.Method.BATCH, 4, 100_000, 5);
    assertTrue(result.totalVariation() < 0.01, "TV " + result.totalVariation());
    assertEquals(4.0, result.meanSamplerCalls());
    assertEquals(0, result.fallbacks());
  }

  @Test
  void integerExponentUsesOrdinaryBinomialWeights() {
    Map<String, Integer> counts = counts(3, 2, 1);
    TemperatureSampler.BatchWeights<String> squared = TemperatureSampler.batchWeights(counts, 2);
    assertEquals(2.0, squared.level());
    assertEquals(0.75, squared.probabilityOf("a"), 1e-12); // C(3,2) = 3
    assertEquals(0.25, squared.probabilityOf("b"), 1e-12); // C(2,2) = 1
    assertEquals(0.0, squared.probabilityOf("c")); // seen once: no estimate of P^2 but 0

    TemperatureSampler.BatchWeights<String> plain = TemperatureSampler.batchWeights(counts, 1);
    assertEquals(0.5, plain.probabilityOf("a"), 1e-12);
    assertEquals(1.0 / 6, plain.probabilityOf("c"), 1e-12);
  }

  @Test
  void stepsDownALevelWhenNothingIsSeenOftenEnough() {
    TemperatureSampler.BatchWeights<String> onlyA =
        TemperatureSampler.batchWeights(counts(3, 2, 1), 3);
    assertEquals(3.0, onlyA.level());
    assertEquals(1.0, onlyA.probabilityOf("a"));

    TemperatureSampler.BatchWeights<String> warmer =
        TemperatureSampler.batchWeights(counts(2, 2, 1), 3);
    assertEquals(2.0, warmer.level(), "no count reaches 3, so level 2");
    assertEquals(0.5, warmer.probabilityOf("a"), 1e-12);
    assertEquals(0.5, warmer.probabilityOf("b"), 1e-12);

    TemperatureSampler.BatchWeights<String> plain =
        TemperatureSampler.batchWeights(counts(1, 1, 1), 4);
    assertEquals(1.0, plain.level());
    assertEquals(1.0 / 3, plain.probabilityOf("c"), 1e-12);
  }

  @Test
  void fractionalExponentUsesGeneralisedBinomialWeights() {
    // 1/T = 2.5: eligible when c > 1.5; C(3, 2.5) : C(2, 2.5) = (6 / Gamma(1.5)) : (2 / Gamma(0.5))
    // = 12/sqrt(pi) : 2/sqrt(pi), so P(a) = 6/7.
    TemperatureSampler.BatchWeights<String> weights =
        TemperatureSampler.batchWeights(counts(3, 2, 1), 2.5);
    assertEquals(2.5, weights.level());
    assertEquals(6.0 / 7, weights.probabilityOf("a"), 1e-12);
    assertEquals(1.0 / 7, weights.probabilityOf("b"), 1e-12);
    assertEquals(0.0, weights.probabilityOf("c"));

    // Below 2 every candidate is eligible; C(1, 1.5) = 1 / (Gamma(2.5) Gamma(0.5)) > 0.
    TemperatureSampler.BatchWeights<String> mild =
        TemperatureSampler.batchWeights(counts(2, 1), 1.5);
    double weightA = 2 / Math.exp(LogGamma.of(1.5)); // Gamma(3) / Gamma(1.5)
    double weightB = 1 / Math.exp(LogGamma.of(0.5)); // Gamma(2) / Gamma(0.5)
    assertEquals(weightA / (weightA + weightB), mild.probabilityOf("a"), 1e-12);
  }

  @Test
  void fractionalWeightsAreContinuousAtBothEndsOfAlpha() {
    Map<String, Integer> counts = counts(3, 2, 1, 2);
    for (String key : counts.keySet()) {
      assertEquals(TemperatureSampler.batchWeights(counts, 2).probabilityOf(key),
          TemperatureSampler.batchWeights(counts, 2 + 1e-9).probabilityOf(key), 1e-6,
          "alpha -> 0 reaches C(c, 2) for " + key);
      assertEquals(TemperatureSampler.batchWeights(counts, 3).probabilityOf(key),
          TemperatureSampler.batchWeights(counts, 3 - 1e-9).probabilityOf(key), 1e-6,
          "alpha -> 1: count 2 fades out for " + key);
    }
  }

  @Test
  void choicesFollowTheWeights() {
    Map<String, Integer> counts = counts(3, 2, 1);
    SplittableRandom rng = new SplittableRandom(4);
    int draws = 100_000;
    int a = 0;
    for (int i = 0; i < draws; i++) {
      TemperatureSampler.BatchChoice<String> choice =
          TemperatureSampler.chooseFromCounts(counts, 2.5, rng);
      assertEquals(2.5, choice.level());
      a += choice.value().equals("a") ? 1 : 0;
    }
    double p = 6.0 / 7;
    assertEquals(p, (double) a / draws, 5 * Math.sqrt(p * (1 - p) / draws));
  }

  @Test
  void sampleBatchSpendsExactlyNCalls() {
    TemperatureSampler<Integer> sampler =
        new TemperatureSampler<>(CategoricalSampler.of(FOUR_WAY), 0.3, 5);
    TemperatureSample<Integer> sample = sampler.sampleBatch(new SplittableRandom(2), 64);
    assertEquals(64, sample.samplerCalls(), "the exact method's budget does not cap the batch");
    assertFalse(sample.fellBack());
    assertEquals(0, sample.restarts());
    assertThrows(CalmException.class, () -> sampler.sampleBatch(new SplittableRandom(2), 0));
  }

  @Test
  void largeCountsDoNotOverflow() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    counts.put("a", 1_000_000);
    counts.put("b", 999_000);
    TemperatureSampler.BatchWeights<String> weights = TemperatureSampler.batchWeights(counts, 50);
    // C(1e6, 50) / C(999000, 50) is about (1e6 / 999000)^50 = 1.0513.
    double ratio = weights.probabilityOf("a") / weights.probabilityOf("b");
    assertEquals(1.0513, ratio, 1e-3);
  }

  /** Counts for "a", "b", "c", ... in order. */
  private static Map<String, Integer> counts(int... values) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (int i = 0; i < values.length; i++) {
      counts.put(String.valueOf((char) ('a' + i)), values[i]);
    }
    return counts;
  }
}
