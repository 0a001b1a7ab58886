package org.calmworkbench.backend.io;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.Set;

/**
 * The floating-point safetensors dtypes CALM Workbench reads and writes. All are converted to and
 * from float32 in Java; values are little-endian in the file.
 *
 * <p>Integer, boolean and 8-bit float dtypes are refused: model weights are floats, and silently
 * turning an int64 buffer (e.g. position ids) into floats would hide a wrong file.
 */
public enum Dtype {
  /** float64, narrowed to float32 on reading (rounding to nearest). */
  F64(8),
  F32(4),
  /** IEEE half precision. */
  F16(2),
  /** bfloat16: the top 16 bits of a float32. */
  BF16(2);

  /** Dtypes of the safetensors format that exist but are not floating-point weights we load. */
  static final Set<String> KNOWN_UNSUPPORTED =
      Set.of("BOOL", "U8", "I8", "U16", "I16", "U32", "I32", "U64", "I64", "F8_E4M3", "F8_E5M2",
          "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64");

  private final int byteSize;

  Dtype(int byteSize) {
    this.byteSize = byteSize;
  }

  /** Bytes per element in the file. */
  public int byteSize() {
    return byteSize;
  }

  /** The dtype spelled {@code text} in a header ("F32", "BF16", ...), if it is one of ours. */
  public static Optional<Dtype> fromHeader(String text) {
    for (Dtype d : values()) {
      if (d.name().equals(text)) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }

  /**
   * Decodes {@code count} elements from {@code src} (little-endian, at its position) into
   * {@code dst[offset .. offset + count)}, advancing {@code src}.
   */
  void decode(ByteBuffer src, float[] dst, int offset, int count) {
    switch (this) {
      case F32 -> {
        src.asFloatBuffer().get(dst, offset, count); // bulk copy; the view inherits the byte order
        src.position(src.position() + count * 4);
      }
      case F64 -> {
        for (int i = 0; i < count; i++) {
          dst[offset + i] = (float) src.getDouble();
        }
      }
      case F16 -> {
        for (int i = 0; i < count; i++) {
          dst[offset + i] = HalfFloats.halfToFloat(src.getShort());
        }
      }
      case BF16 -> {
        for (int i = 0; i < count; i++) {
          dst[offset + i] = HalfFloats.bf16ToFloat(src.getShort());
        }
      }
    }
  }

  /**
   * Encodes {@code src[offset .. offset + count)} into {@code dst} (little-endian, at its
   * position), advancing {@code dst}.
   */
  void encode(float[] src, int offset, int count, ByteBuffer dst) {
    switch (this) {
      case F32 -> {
        dst.asFloatBuffer().put(src, offset, count);
        dst.position(dst.position() + count * 4);
      }
      case F64 -> {
        for (int i = 0; i < count; i++) {
          dst.putDouble(src[offset + i]);
        }
      }
      case F16 -> {
        for (int i = 0; i < count; i++) {
          dst.putShort((short) HalfFloats.floatToHalf(src[offset + i]));
        }
      }
      case BF16 -> {
        for (int i = 0; i < count; i++) {
          dst.putShort((short) HalfFloats.floatToBf16(src[offset + i]));
        }
      }
    }
  }
}
