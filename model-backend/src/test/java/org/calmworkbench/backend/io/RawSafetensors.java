package org.calmworkbench.backend.io;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Builds safetensors bytes by hand, independent of {@link Safetensors#write}, for tests. */
final class RawSafetensors {
  private RawSafetensors() {}

  /** A file whose header is {@code headerJson} (length taken from it) followed by {@code data}. */
  static byte[] file(String headerJson, byte[] data) {
    byte[] header = headerJson.getBytes(UTF_8);
    return withHeaderLength(header.length, concat(header, data));
  }

  /** The 8-byte little-endian {@code headerLength} (as given, even if false) then {@code rest}. */
  static byte[] withHeaderLength(long headerLength, byte[] rest) {
    ByteBuffer b = ByteBuffer.allocate(8 + rest.length).order(ByteOrder.LITTLE_ENDIAN);
    return b.putLong(headerLength).put(rest).array();
  }

  static byte[] f32(float... values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  static byte[] f64(double... values) {
    ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : values) {
      b.putDouble(v);
    }
    return b.array();
  }

  /** 16-bit patterns (F16 or BF16), little-endian. */
  static byte[] u16(int... bits) {
    ByteBuffer b = ByteBuffer.allocate(2 * bits.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : bits) {
      b.putShort((short) v);
    }
    return b.array();
  }

  static byte[] zeros(int n) {
    return new byte[n];
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
