package org.calmworkbench.backend.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.calmworkbench.backend.CalmException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BrierTest {
  @Test
  void matchesReferenceMetrics() throws IOException {
    String shared = System.getProperty("calm.shared.dir");
    Path metrics = shared == null ? null : Path.of(shared, "reference", "metrics.json");
    if (metrics == null || !Files.isRegularFile(metrics)) {
      Assumptions.assumeTrue(false, "no ../shared/reference/metrics.json; set calm.shared.dir");
    }
    JsonObject brier;
    try (Reader reader = Files.newBufferedReader(metrics)) {
      brier = new Gson().fromJson(reader, JsonObject.class).getAsJsonObject("brier");
    }
    Gson gson = new Gson();
    int[][] x1 = gson.fromJson(brier.get("pred1"), int[][].class);
    int[][] x2 = gson.fromJson(brier.get("pred2"), int[][].class);
    int[][] truth = gson.fromJson(brier.get("target"), int[][].class);
    double[] expected = gson.fromJson(brier.get("brier_1_to_4"), double[].class);

    BrierResult result = Brier.evaluate(x1, x2, truth);

    assertEquals(truth.length, result.patches());
    assertArrayEquals(expected, result.brier(), 1e-6);
    assertEquals(brier.get("brier_lm").getAsDouble(), result.brierLm(), 1e-6);
  }

  @ParameterizedTest(name = "x1={0} x2={1} y={2} -> {3}")
  @CsvSource({
    "1 2 3 4, 1 2 3 4, 1 2 3 4, 1 1 1 1", // both right: 1 + 1 - 1
    "1 2 3 4, 5 2 3 4, 1 2 3 4, 1 1 1 1", // x1 right, x2 wrong from token 1: 1 + 0 - 0
    "1 2 9 4, 1 2 8 4, 1 2 3 4, 1 1 0 0", // both right for two tokens, then both wrong apart
    "5 6 7 8, 5 6 7 8, 1 2 3 4, -1 -1 -1 -1", // agree with each other, both wrong
    "1 6 7 8, 1 6 7 9, 1 2 3 4, 1 -1 -1 0" // right at n=1; agree-but-wrong up to n=3
  })
  void patchScoresFollowTheDefinition(String x1, String x2, String y, String expected) {
    int[] a = ints(x1);
    int[] b = ints(x2);
    int[] truth = ints(y);
    int[] want = ints(expected);
    for (int n = 1; n <= 4; n++) {
      assertEquals(want[n - 1], Brier.patchScore(a, b, truth, n), "Brier-" + n);
    }
  }

  @Test
  void brierLmIsHundredTimesGeometricMean() {
    assertEquals(50, Brier.brierLm(0.5, 0.5, 0.5, 0.5), 1e-12);
    assertEquals(100 * Math.pow(2, -1.5), Brier.brierLm(1, 0.5, 0.25, 0.125), 1e-12);
  }

  @Test
  void brierLmIsZeroWhenAnyScoreIsNotPositive() {
    assertEquals(0, Brier.brierLm(0.9, 0.5, 0.2, -0.01));
    assertEquals(0, Brier.brierLm(-0.5, -0.5, 0.5, 0.5), "two negatives must not make a positive");
    assertEquals(0, Brier.brierLm(0.9, 0, 0.2, 0.1));
  }

  @Test
  void exactBrierOfADistribution() {
    assertEquals(0.5, Brier.exactBrier1(new double[] {0.5, 0.5}, 0), 1e-15);
    assertEquals(1.0, Brier.exactBrier1(new double[] {0, 1, 0}, 1), 1e-15);
    assertEquals(-1.0, Brier.exactBrier1(new double[] {1, 0}, 1), 1e-15);
  }

  /** Tokens drawn independently per position from this distribution over {0, 1, 2}. */
  private static final double[] TOKEN = {0.7, 0.2, 0.1};
  /** A truth off the mode at token 2: Brier-4 is only about 0.05 here. */
  private static final int[] UNLIKELY_TRUTH = {0, 1, 0, 0};
  /** The mode: Brier-4 about 0.4, so BrierLM stays well away from its clip at 0. */
  private static final int[] LIKELY_TRUTH = {0, 0, 0, 0};

  private static int[] drawPatch(SplittableRandom rng) {
    int[] patch = new int[4];
    for (int t = 0; t < 4; t++) {
      double u = rng.nextDouble();
      patch[t] = u < TOKEN[0] ? 0 : u < TOKEN[0] + TOKEN[1] ? 1 : 2;
    }
    return patch;
  }

  /** Exact Brier-n: Brier-1 of the distribution over n-grams (3^n of them) at the true n-gram. */
  private static double exactBrier(int n, int[] truth) {
    int outcomes = (int) Math.pow(3, n);
    double[] joint = new double[outcomes];
    int truthIndex = 0;
    for (int code = 0; code < outcomes; code++) {
      double p = 1;
      int rest = code;
      for (int t = 0; t < n; t++) {
        p *= TOKEN[rest % 3];
        rest /= 3;
      }
      joint[code] = p;
    }
    for (int t = n - 1; t >= 0; t--) {
      truthIndex = truthIndex * 3 + truth[t];
    }
    return Brier.exactBrier1(joint, truthIndex);
  }

  @Test
  void twoSampleEstimateIsUnbiased() {
    SplittableRandom rng = new SplittableRandom(12);
    BrierAccumulator accumulator = new BrierAccumulator();
    for (int i = 0; i < 400_000; i++) {
      accumulator.add(drawPatch(rng), drawPatch(rng), UNLIKELY_TRUTH);
    }
    BrierResult result = accumulator.result();
    for (int n = 1; n <= 4; n++) {
      double exact = exactBrier(n, UNLIKELY_TRUTH);
      // Brier-1 closed form as a check on the n-gram construction: 2 q(y) - sum q^2.
      if (n == 1) {
        assertEquals(2 * 0.7 - (0.49 + 0.04 + 0.01), exact, 1e-12);
      }
      assertEquals(exact, result.brier(n), 4 * result.standardError(n),
          "Brier-" + n + " estimate vs exact " + exact);
    }
  }

  @Test
  void standardErrorsMatchTheSpreadOverRepeatedEvaluations() {
    int repeats = 400;
    int patches = 400;
    SplittableRandom rng = new SplittableRandom(5);
    double[] brier1 = new double[repeats];
    double[] brierLm = new double[repeats];
    double reportedBrier1 = 0;
    double reportedBrierLm = 0;
    for (int r = 0; r < repeats; r++) {
      BrierAccumulator accumulator = new BrierAccumulator();
      for (int i = 0; i < patches; i++) {
        accumulator.add(drawPatch(rng), drawPatch(rng), LIKELY_TRUTH);
      }
      BrierResult result = accumulator.result();
      brier1[r] = result.brier(1);
      brierLm[r] = result.brierLm();
      reportedBrier1 += result.standardError(1) / repeats;
      reportedBrierLm += result.brierLmStandardError() / repeats;
    }
    double ratio1 = standardDeviation(brier1) / reportedBrier1;
    double ratioLm = standardDeviation(brierLm) / reportedBrierLm;
    // With 400 repeats the observed spread itself is uncertain by about 3.5 %.
    assertEquals(1.0, ratio1, 0.15, "Brier-1: observed spread / reported standard error");
    assertEquals(1.0, ratioLm, 0.15, "BrierLM (delta method): observed spread / reported");
  }

  @Test
  void mergedAccumulatorsEqualOneOverAllPatches() {
    SplittableRandom rng = new SplittableRandom(3);
    BrierAccumulator all = new BrierAccumulator();
    BrierAccumulator first = new BrierAccumulator();
    BrierAccumulator second = new BrierAccumulator();
    for (int i = 0; i < 1000; i++) {
      int[] x1 = drawPatch(rng);
      int[] x2 = drawPatch(rng);
      int[] y = drawPatch(rng);
      all.add(x1, x2, y);
      (i % 3 == 0 ? first : second).add(x1, x2, y);
    }
    first.merge(second);
    assertEquals(1000, first.patches());
    assertArrayEquals(all.result().brier(), first.result().brier(), 0);
    assertArrayEquals(all.result().standardErrors(), first.result().standardErrors(), 1e-15);
    assertEquals(all.result().brierLmStandardError(), first.result().brierLmStandardError(), 1e-15);
  }

  @Test
  void emptyAndSinglePatchResultsAreNaNWhereUndefined() {
    BrierAccumulator accumulator = new BrierAccumulator();
    assertTrue(Double.isNaN(accumulator.result().brier(1)));
    assertTrue(Double.isNaN(accumulator.result().brierLm()));
    accumulator.add(new int[] {1, 2, 3, 4}, new int[] {1, 2, 3, 4}, new int[] {1, 2, 3, 4});
    assertEquals(100, accumulator.result().brierLm(), 1e-12);
    assertTrue(Double.isNaN(accumulator.result().standardError(1)));
    assertTrue(Double.isNaN(accumulator.result().brierLmStandardError()));
  }

  @Test
  void refusesShortPatchesAndMismatchedCounts() {
    BrierAccumulator accumulator = new BrierAccumulator();
    CalmException shortPatch = assertThrows(CalmException.class,
        () -> accumulator.add(new int[] {1, 2, 3, 4}, new int[] {1, 2}, new int[] {1, 2, 3, 4}));
    assertTrue(shortPatch.getMessage().startsWith("patch 0: second prediction has 2 tokens"),
        shortPatch.getMessage());
    CalmException counts = assertThrows(CalmException.class, () -> Brier.evaluate(
        new int[2][4], new int[2][4], new int[3][4]));
    assertTrue(counts.getMessage().contains("2, 2 and 3"), counts.getMessage());
  }

  private static double standardDeviation(double[] values) {
    double mean = 0;
    for (double v : values) {
      mean += v / values.length;
    }
    double sum = 0;
    for (double v : values) {
      sum += (v - mean) * (v - mean);
    }
    return Math.sqrt(sum / (values.length - 1));
  }

  private static int[] ints(String spaced) {
    return java.util.Arrays.stream(spaced.trim().split("\\s+")).mapToInt(Integer::parseInt).toArray();
  }
}
