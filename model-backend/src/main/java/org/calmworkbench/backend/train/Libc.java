package org.calmworkbench.backend.train;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/** The C library's functions this project calls through JNA (Linux with glibc only). */
final class Libc {
  private Libc() {}

  /**
   * The C library's function {@code name}, or null where it cannot be had: not Linux, no glibc
   * (musl), or JNA's native part cannot load.
   */
  static Function function(String name) {
    if (!Platform.isLinux()) {
      return null;
    }
    try {
      return NativeLibrary.getInstance(Platform.C_LIBRARY_NAME).getFunction(name);
    } catch (LinkageError | RuntimeException e) {
      return null;
    }
  }
}
