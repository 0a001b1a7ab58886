package org.calmworkbench.backend.io.pytorch;

import java.nio.ByteBuffer;
import java.util.Optional;
import org.calmworkbench.backend.io.HalfFloats;

/**
 * The typed storages a {@code torch.save} pickle names ({@code torch.FloatStorage}, ...): the
 * element type of one {@code data/N} entry. These are the only torch classes the reader accepts
 * besides the two rebuild functions; they are never instantiated, only used as type tags.
 */
public enum StorageType {
  FLOAT("FloatStorage", 4, true),
  DOUBLE("DoubleStorage", 8, true),
  HALF("HalfStorage", 2, true),
  BFLOAT16("BFloat16Storage", 2, true),
  LONG("LongStorage", 8, false),
  INT("IntStorage", 4, false),
  SHORT("ShortStorage", 2, false),
  CHAR("CharStorage", 1, false),
  BYTE("ByteStorage", 1, false),
  BOOL("BoolStorage", 1, false);

  private final String className;
  private final int elementSize;
  private final boolean floating;

  StorageType(String className, int elementSize, boolean floating) {
    this.className = className;
    this.elementSize = elementSize;
    this.floating = floating;
  }

  /** The global's name, {@code torch.<className>}. */
  public String global() {
    return "torch." + className;
  }

  /** Bytes per element. */
  public int elementSize() {
    return elementSize;
  }

  /** Float element types (weights); integer and bool storages are read as shapes only. */
  public boolean isFloating() {
    return floating;
  }

  /** The storage named by the pickle global {@code module.name}, if it is one. */
  static Optional<StorageType> ofGlobal(String module, String name) {
    if (!"torch".equals(module)) {
      return Optional.empty();
    }
    for (StorageType t : values()) {
      if (t.className.equals(name)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /** The element at byte {@code index} of {@code src} (little-endian) as a float; floating types only. */
  float floatAt(ByteBuffer src, int index) {
    return switch (this) {
      case FLOAT -> src.getFloat(index);
      case DOUBLE -> (float) src.getDouble(index);
      case HALF -> HalfFloats.halfToFloat(src.getShort(index));
      case BFLOAT16 -> HalfFloats.bf16ToFloat(src.getShort(index));
      default -> throw new IllegalStateException(this + " is not a float storage");
    };
  }

  /** Writes {@code value} as this type's element at the buffer's position (floating types only). */
  void putFloat(ByteBuffer dst, float value) {
    switch (this) {
      case FLOAT -> dst.putFloat(value);
      case DOUBLE -> dst.putDouble(value);
      case HALF -> dst.putShort((short) HalfFloats.floatToHalf(value));
      case BFLOAT16 -> dst.putShort((short) HalfFloats.floatToBf16(value));
      default -> throw new IllegalStateException(this + " is not a float storage");
    }
  }
}
