package org.calmworkbench.backend.train;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import java.util.ArrayList;
import java.util.List;
import org.calmworkbench.backend.bench.ProcessMemory;
import org.junit.jupiter.api.Test;

class NativeMemoryTest {
  private static boolean glibc() {
    try {
      NativeLibrary.getInstance(Platform.C_LIBRARY_NAME).getFunction("gnu_get_libc_version");
      return true;
    } catch (LinkageError | RuntimeException e) {
      return false;
    }
  }

  @Test
  void availableExactlyOnLinuxWithGlibc() {
    boolean expected = Platform.isLinux() && glibc() && !"false".equals(System.getProperty(NativeMemory.PROPERTY));
    assertTrue(NativeMemory.available() == expected);
    if (!expected) {
      assertFalse(NativeMemory.trim()); // does nothing, does not throw
    }
  }

  /** Freed blocks in the middle of a malloc arena stay resident until malloc_trim gives them back. */
  @Test
  void trimReturnsFragmentedFreeMemoryToTheSystem() {
    assumeTrue(NativeMemory.available(), "malloc_trim only on Linux with glibc");
    long before = ProcessMemory.rssBytes();
    assumeTrue(before > 0, "RSS readable");
    int block = 64 * 1024; // below glibc's mmap threshold: from the arena, like small tensors
    List<Memory> blocks = new ArrayList<>();
    for (int i = 0; i < 1024; i++) { // 64 MiB
      Memory m = new Memory(block);
      m.clear(); // touch it: resident
      blocks.add(m);
    }
    for (int i = 0; i < blocks.size(); i++) {
      if (i % 16 != 15) { // keep every 16th so the free space is holes, not a trimmable top
        blocks.get(i).close();
      }
    }
    NativeMemory.trim(); // may or may not report a release: other threads' arenas count too
    long after = ProcessMemory.rssBytes();
    long held = after - before;
    // Without the trim about 64 MiB would stay resident; with it, the 4 MiB kept plus a margin.
    assertTrue(held < 32L << 20, "RSS still " + (held >> 20) + " MiB above the start after malloc_trim");
    blocks.forEach(Memory::close);
  }
}
