package org.calmworkbench.backend.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.Arrays;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.sampling.SamplerCheck.Method;
import org.junit.jupiter.api.Test;

class SamplerCheckTest {
  private static final double[] P = {0.5, 0.3, 0.15, 0.05};

  @Test
  void refusesNegativeProbabilityNamingIt() {
    CalmException error = assertThrows(CalmException.class,
        () -> SamplerCheck.run(new double[] {0.6, -0.1, 0.5}, 0.5, Method.EXACT, 1, 10, 1));
    assertTrue(error.getMessage().startsWith("probability 2 is -0.1"), error.getMessage());
  }

  @Test
  void refusesProbabilitiesThatDoNotSumToOne() {
    CalmException error = assertThrows(CalmException.class,
        () -> SamplerCheck.run(new double[] {0.5, 0.4}, 0.5, Method.EXACT, 1, 10, 1));
    assertTrue(error.getMessage().startsWith("probabilities sum to 0.9, not 1"), error.getMessage());
  }

  @Test
  void normalisesRoundedProbabilities() {
    SamplerCheck.Result result =
        SamplerCheck.run(new double[] {0.333, 0.333, 0.333}, 1.0, Method.EXACT, 1, 10, 1);
    assertArrayEquals(new double[] {1.0 / 3, 1.0 / 3, 1.0 / 3}, result.probabilities(), 1e-15);
    assertEquals(1.0, Arrays.stream(result.target()).sum(), 1e-12);
  }

  @Test
  void refusesTemperatureAboveOne() {
    CalmException error = assertThrows(CalmException.class,
        () -> SamplerCheck.run(P, 1.5, Method.EXACT, 1, 10, 1));
    assertEquals("temperature must be in (0, 1], got 1.5", error.getMessage());
  }

  @Test
  void refusesTooFewDrawsOrCandidates() {
    assertEquals("draws must be >= 1, got 0", assertThrows(CalmException.class,
        () -> SamplerCheck.run(P, 0.5, Method.BATCH, 8, 0, 1)).getMessage());
    assertEquals("candidates must be >= 1, got 0", assertThrows(CalmException.class,
        () -> SamplerCheck.run(P, 0.5, Method.BATCH, 0, 10, 1)).getMessage());
  }

  @Test
  void parsesMethodNames() {
    assertEquals(Method.EXACT, Method.parse("exact"));
    assertEquals(Method.BATCH, Method.parse(" Batch "));
    assertEquals("method must be exact or batch, got greedy",
        assertThrows(CalmException.class, () -> Method.parse("greedy")).getMessage());
  }

  @Test
  void sameSeedSameResultOtherSeedOtherResult() {
    SamplerCheck.Result first = SamplerCheck.run(P, 0.4, Method.EXACT, 1, 2000, 7);
    SamplerCheck.Result again = SamplerCheck.run(P, 0.4, Method.EXACT, 1, 2000, 7);
    SamplerCheck.Result other = SamplerCheck.run(P, 0.4, Method.EXACT, 1, 2000, 8);
    assertArrayEquals(first.frequencies(), again.frequencies());
    assertEquals(first.meanSamplerCalls(), again.meanSamplerCalls());
    assertFalse(Arrays.equals(first.frequencies(), other.frequencies()));
  }

  @Test
  void tinyBudgetShowsUpAsFallbacks() {
    SamplerCheck.Result result = SamplerCheck.run(
        new SamplerCheck.Config(P, 0.25, Method.EXACT, 1, 1000, 3, 2));
    assertTrue(result.fallbacks() > 500, "fallbacks " + result.fallbacks());
    assertTrue(result.meanSamplerCalls() <= 2.0);
  }

  @Test
  void jsonCarriesTheMeasuredNumbers() {
    SamplerCheck.Result result = SamplerCheck.run(P, 0.5, Method.BATCH, 16, 500, 1);
    JsonObject json = JsonParser.parseString(result.toJson()).getAsJsonObject();
    assertEquals("batch", json.get("method").getAsString());
    assertEquals(16, json.get("candidates").getAsInt());
    assertEquals(500, json.get("draws").getAsInt());
    assertEquals(result.totalVariation(), json.get("total_variation").getAsDouble());
    assertEquals(16.0, json.get("mean_sampler_calls").getAsDouble());
    assertEquals(0, json.get("fallbacks").getAsInt());
    assertEquals(4, json.getAsJsonArray("frequencies").size());
    assertEquals(result.target()[0], json.getAsJsonArray("target").get(0).getAsDouble());
  }

  @Test
  void totalVariationIsHalfTheL1Distance() {
    assertEquals(0.3, SamplerCheck.totalVariation(new double[] {0.5, 0.5, 0}, new double[] {0.2, 0.5, 0.3}), 1e-15);
  }
}
