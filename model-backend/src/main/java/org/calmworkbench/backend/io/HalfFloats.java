package org.calmworkbench.backend.io;

/**
 * Conversions between float32 and the two 16-bit float formats found in checkpoints. Java 17 has
 * no {@code Float.float16ToFloat}, and DJL crashes on BF16 arrays, so both are done here on bits.
 *
 * <ul>
 *   <li>IEEE half (F16): 1 sign, 5 exponent (bias 15), 10 mantissa bits; subnormals down to
 *       2^-24, max 65504.
 *   <li>bfloat16 (BF16): the top 16 bits of a float32 (1 sign, 8 exponent, 7 mantissa bits).
 * </ul>
 *
 * Float-to-16-bit conversions round to nearest, ties to even (as PyTorch does); NaN stays NaN.
 * Every 16-bit pattern survives {@code toFloat} then {@code fromFloat} unchanged, NaNs aside
 * (whose payload may be quieted).
 */
public final class HalfFloats {
  private HalfFloats() {}

  /** The float value of IEEE half-precision bits (only the low 16 bits of {@code bits} count). */
  public static float halfToFloat(int bits) {
    int sign = (bits & 0x8000) << 16;
    int exponent = (bits >>> 10) & 0x1f;
    int mantissa = bits & 0x3ff;
    if (exponent == 0x1f) { // infinity (mantissa 0) or NaN: keep the payload in the top bits
      return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
    }
    if (exponent == 0) { // zero or subnormal: mantissa * 2^-24, exact in float32
      float magnitude = mantissa * 0x1p-24f;
      return sign == 0 ? magnitude : -magnitude;
    }
    // normal: rebias the exponent from 15 to 127, widen the mantissa from 10 to 23 bits
    return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
  }

  /** IEEE half-precision bits (in the low 16 bits) of {@code value}, rounded to nearest even. */
  public static int floatToHalf(float value) {
    int f = Float.floatToRawIntBits(value);
    int sign = (f >>> 16) & 0x8000;
    int exponent = (f >>> 23) & 0xff;
    int mantissa = f & 0x7fffff;
    if (exponent == 0xff) { // infinity or NaN
      if (mantissa == 0) {
        return sign | 0x7c00;
      }
      int payload = mantissa >>> 13;
      return sign | 0x7c00 | (payload != 0 ? payload : 0x200); // a NaN must keep a mantissa bit
    }
    int halfExponent = exponent - 127 + 15;
    if (halfExponent >= 0x1f) { // |value| >= 65536: beyond the largest half even after rounding
      return sign | 0x7c00;
    }
    if (halfExponent <= 0) {
      // Result is a half subnormal (or zero): its mantissa counts units of 2^-24.
      // value = (1.mantissa) * 2^(E) = full * 2^(E - 23), with E = halfExponent - 15,
      // so in units of 2^-24 it is full >> (14 - halfExponent).
      if (halfExponent < -10) { // |value| < 2^-25: rounds to (signed) zero
        return sign;
      }
      int full = mantissa | 0x800000;
      int shift = 14 - halfExponent; // 14..24
      return sign | roundShiftRightEven(full, shift);
    }
    // Normal half. A rounding carry may ripple into the exponent, which is still correct
    // (up to 0x7c00 = infinity for values in [65520, 65536)).
    int half = (halfExponent << 10) | (mantissa >>> 13);
    int rest = mantissa & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) {
      half++;
    }
    return sign | half;
  }

  /** The float value of bfloat16 bits (only the low 16 bits of {@code bits} count). */
  public static float bf16ToFloat(int bits) {
    return Float.intBitsToFloat((bits & 0xffff) << 16);
  }

  /** bfloat16 bits (in the low 16 bits) of {@code value}, rounded to nearest even. */
  public static int floatToBf16(float value) {
    int f = Float.floatToRawIntBits(value);
    if (Float.isNaN(value)) {
      return (f >>> 16) | 0x40; // keep sign and top payload, force the quiet bit so it stays NaN
    }
    int lsb = (f >>> 16) & 1;
    // Adding 0x7fff + lsb rounds to nearest, ties to even; a carry into the exponent is correct,
    // and the largest finite values round to infinity as they should.
    return ((f + 0x7fff + lsb) >>> 16) & 0xffff;
  }

  private static int roundShiftRightEven(int value, int shift) {
    int kept = value >>> shift;
    int rest = value & ((1 << shift) - 1);
    int halfway = 1 << (shift - 1);
    if (rest > halfway || (rest == halfway && (kept & 1) != 0)) {
      kept++; // may become 0x400, the smallest normal half: that encoding is correct as is
    }
    return kept;
  }
}
