package org.calmworkbench.backend.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.calmworkbench.backend.CalmException;
import org.junit.jupiter.api.Test;

/** The parts of {@code bench lm} that turn rounds into figures (the timed run itself is a benchmark, not a test). */
class LmBenchTest {
  private static LmBench.Side side(double total, double... rounds) {
    return new LmBench.Side("x", 1, 1, total, rounds, 1, 1, 1, 1, 1, 1, 0);
  }

  @Test
  void headlineRatioIsOverAllRoundsAndMedianIsOverPairs() {
    LmBench.Result r = new LmBench.Result(LmBench.Options.defaults(), 4, 1024,
        side(300, 400, 100, 300, 350), side(100, 100, 100, 50, 700), 600, 200, null);
    assertEquals(3.0, r.generationSpeedup(), 1e-12);
    assertArrayEquals(new double[] {4, 1, 6, 0.5}, r.pairedSpeedups(), 1e-12);
    assertEquals(2.5, r.medianPairedSpeedup(), 1e-12); // (1 + 4) / 2: the 6x and 0.5x outliers do not move it
    assertEquals(3.0, r.boundSpeedup(), 1e-12);
    assertEquals(0.5, r.calmFractionOfBound(), 1e-12); // 300 of 600 tokens/s
    assertEquals(0.5, r.arFractionOfBound(), 1e-12);
    assertEquals(8, r.calmCachePositions()); // 32 prompt tokens = 8 chunks; the one step's chunk is not fed back
    assertEquals(32, r.arCachePositions());
  }

  @Test
  void givenCheckpointsComeInPairs() {
    LmBench.Options d = LmBench.Options.defaults();
    assertThrows(CalmException.class, () -> d.withRuns(Path.of("calm"), null));
  }

  @Test
  void medianOfOddAndEmpty() {
    assertEquals(2.0, LmBench.median(new double[] {9, 2, 1}), 0);
    assertEquals(Double.NaN, LmBench.median(new double[0]));
  }

  @Test
  void arBaselineGetsOnlyItsOwnKeys() {
    assertEquals(List.of("batch_size=1", "num_hidden_layers=16"),
        LmBench.arSets(List.of("batch_size=1", "target_samples=32", "num_hidden_layers=16", "noise_size=8")));
  }
}
