package org.calmworkbench.backend.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HalfFloatsTest {

  /** Half bits and their exact float values (from the IEEE 754 binary16 tables). */
  @ParameterizedTest(name = "f16 0x{0} = {1}")
  @CsvSource({
    "0000, 0.0",
    "8000, -0.0",
    "3c00, 1.0",
    "c000, -2.0",
    "3555, 0.333251953125",
    "7bff, 65504.0",
    "0400, 6.103515625E-5", // smallest normal, 2^-14
    "03ff, 6.097555160522461E-5", // largest subnormal, 1023 * 2^-24
    "0001, 5.9604644775390625E-8", // smallest subnormal, 2^-24
    "8001, -5.9604644775390625E-8",
    "7c00, Infinity",
    "fc00, -Infinity",
  })
  void decodesHalfBitsToKnownValues(String hex, double expected) {
    float value = HalfFloats.halfToFloat(Integer.parseInt(hex, 16));
    assertEquals(Float.floatToIntBits((float) expected), Float.floatToIntBits(value));
  }

  @Test
  void decodesHalfNaNsAsNaN() {
    assertTrue(Float.isNaN(HalfFloats.halfToFloat(0x7e00)));
    assertTrue(Float.isNaN(HalfFloats.halfToFloat(0x7c01))); // signalling payload stays a NaN
    assertTrue(Float.isNaN(HalfFloats.halfToFloat(0xfe00)));
  }

  @ParameterizedTest(name = "bf16 0x{0} = {1}")
  @CsvSource({
    "3f80, 1.0",
    "c0a0, -5.0",
    "4049, 3.140625",
    "8000, -0.0",
    "7f7f, 3.3895313892515355E38", // largest finite bf16
    "0080, 1.1754943508222875E-38", // smallest normal, = Float.MIN_NORMAL
    "0001, 9.183549615799121E-41", // smallest subnormal, 2^-133
    "7f80, Infinity",
    "ff80, -Infinity",
  })
  void decodesBf16BitsToKnownValues(String hex, double expected) {
    float value = HalfFloats.bf16ToFloat(Integer.parseInt(hex, 16));
    assertEquals(Float.floatToIntBits((float) expected), Float.floatToIntBits(value));
  }

  @Test
  void everyHalfPatternSurvivesARoundTripThroughFloat() {
    for (int bits = 0; bits < 0x10000; bits++) {
      float f = HalfFloats.halfToFloat(bits);
      int back = HalfFloats.floatToHalf(f);
      if (Float.isNaN(f)) {
        assertTrue(Float.isNaN(HalfFloats.halfToFloat(back)), "NaN 0x" + Integer.toHexString(bits));
      } else {
        assertEquals(bits, back, "half 0x" + Integer.toHexString(bits) + " = " + f);
      }
    }
  }

  @Test
  void everyBf16PatternSurvivesARoundTripThroughFloat() {
    for (int bits = 0; bits < 0x10000; bits++) {
      float f = HalfFloats.bf16ToFloat(bits);
      int back = HalfFloats.floatToBf16(f);
      if (Float.isNaN(f)) {
        assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(back)), "NaN 0x" + Integer.toHexString(bits));
      } else {
        assertEquals(bits, back, "bf16 0x" + Integer.toHexString(bits) + " = " + f);
      }
    }
  }

  /** Float inputs and the half they must round to (nearest, ties to even). */
  @ParameterizedTest(name = "{0} -> f16 0x{1}")
  @CsvSource({
    "1.00048828125, 3c00", // 1 + 2^-11: tie between 1.0 (even) and 1 + 2^-10 -> 1.0
    "1.00146484375, 3c02", // 1 + 3 * 2^-11: tie between 0x3c01 and 0x3c02 (even) -> 0x3c02
    "1.0005, 3c01", // just above the tie -> up
    "65519.0, 7bff", // below the midpoint to 65536 -> largest finite
    "65520.0, 7c00", // the midpoint, ties to even (infinity)
    "1.0E9, 7c00", // overflow -> infinity
    "-1.0E9, fc00",
    "2.9802322387695312E-8, 0000", // 2^-25: tie between 0 (even) and 2^-24 -> 0
    "2.9802326E-8, 0001", // just above 2^-25 -> smallest subnormal
    "8.940696716308594E-8, 0002", // 1.5 * 2^-24: tie between 1 and 2 units -> 2 (even)
    "6.1030686E-5, 0400", // just below 2^-14, rounds up into the smallest normal
    "1.0E-10, 0000", // far below: zero
    "-1.0E-10, 8000", // keeps the sign
    "1.4E-45, 0000", // float subnormals vanish
  })
  void roundsFloatToNearestEvenHalf(float value, String expectedHex) {
    assertEquals(Integer.parseInt(expectedHex, 16), HalfFloats.floatToHalf(value));
  }

  @ParameterizedTest(name = "{0} -> bf16 0x{1}")
  @CsvSource({
    "1.00390625, 3f80", // 1 + 2^-8: tie between 1.0 (even) and 1 + 2^-7 -> 1.0
    "1.01171875, 3f82", // 1 + 3 * 2^-8: tie -> the even neighbour 1 + 2^-6
    "1.004, 3f81", // above the tie -> up
    "3.4028235E38, 7f80", // Float.MAX_VALUE rounds to infinity
    "-3.4028235E38, ff80",
  })
  void roundsFloatToNearestEvenBf16(float value, String expectedHex) {
    assertEquals(Integer.parseInt(expectedHex, 16), HalfFloats.floatToBf16(value));
  }

  @Test
  void keepsNaNANaNWhenNarrowing() {
    float quiet = Float.NaN;
    float payloadOnlyInLowBits = Float.intBitsToFloat(0x7f800001); // would truncate to infinity
    assertTrue(Float.isNaN(HalfFloats.halfToFloat(HalfFloats.floatToHalf(quiet))));
    assertTrue(Float.isNaN(HalfFloats.halfToFloat(HalfFloats.floatToHalf(payloadOnlyInLowBits))));
    assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(quiet))));
    assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(payloadOnlyInLowBits))));
  }
}
