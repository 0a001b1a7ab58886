package org.calmworkbench.backend.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LogGammaTest {
  @ParameterizedTest(name = "lnGamma({0})")
  @CsvSource({
    "1, 0",
    "2, 0",
    "0.5, 0.5723649429247004", // ln sqrt(pi)
    "0.1, 2.2527126517342055",
    "3.5, 1.2009736023470738", // ln(15 sqrt(pi) / 8)
    "11, 15.104412573075514", // ln 10!
    "101, 363.73937555556347" // ln 100!
  })
  void matchesKnownValues(double x, double expected) {
    assertEquals(expected, LogGamma.of(x), 1e-12 * Math.max(1, Math.abs(expected)));
  }
}
