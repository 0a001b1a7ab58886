package org.calmworkbench.backend.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import org.calmworkbench.backend.CalmException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class ProcessMemoryTest {
  private static final String STATUS = """
      Name:\tjava
      Umask:\t0022
      State:\tS (sleeping)
      VmPeak:\t 9123456 kB
      VmSize:\t 9000000 kB
      VmHWM:\t  654321 kB
      VmRSS:\t  523776 kB
      RssAnon:\t  400000 kB
      Threads:\t42
      """;

  @Test
  void readsVmRssNotTheOtherVmLines() {
    assertEquals(523776L * 1024, ProcessMemory.parseVmRss(STATUS, "/proc/self/status"));
  }

  @Test
  void namesTheSourceWhenVmRssIsMissingOrMalformed() {
    CalmException missing = assertThrows(CalmException.class,
        () -> ProcessMemory.parseVmRss("Name:\tjava\nVmSize:\t 1 kB\n", "/proc/1/status"));
    assertTrue(missing.getMessage().contains("/proc/1/status") && missing.getMessage().contains("VmRSS"), missing.getMessage());
    CalmException unit = assertThrows(CalmException.class, () -> ProcessMemory.parseVmRss("VmRSS:\t 12 MB\n", "x"));
    assertTrue(unit.getMessage().contains("12 MB"), unit.getMessage());
    assertThrows(CalmException.class, () -> ProcessMemory.parseVmRss("VmRSS:\t twelve kB\n", "x"));
  }

  @Test
  void parsesPsOutput() {
    assertEquals(2048L * 1024, ProcessMemory.parsePsRss("  2048\n"));
    assertThrows(CalmException.class, () -> ProcessMemory.parsePsRss("RSS\n"));
  }

  @Test
  void onLinuxRssGrowsWhenMemoryIsTouched() {
    Assumptions.assumeTrue(Files.isReadable(ProcessMemory.STATUS), "needs /proc/self/status");
    long before = ProcessMemory.rssBytes();
    assertTrue(before > 1 << 20, "RSS of a JVM is more than 1 MiB: " + before);
    // 64 MiB off-heap, every page written: RSS must grow by most of it. RSS is the whole process's,
    // and other threads of the test JVM (a collector returning heap, cleaners freeing native arrays of
    // earlier tests) can shrink it by more than that at the same moment (seen in CI: -104 MB), so the
    // measurement is repeated with a fresh buffer; it must show the growth at least once in five.
    List<java.nio.ByteBuffer> kept = new java.util.ArrayList<>();
    List<Long> growths = new java.util.ArrayList<>();
    for (int attempt = 0; attempt < 5; attempt++) {
      long start = ProcessMemory.rssBytes();
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(64 << 20);
      for (int i = 0; i < b.capacity(); i += 4096) {
        b.put(i, (byte) 1);
      }
      long growth = ProcessMemory.rssBytes() - start;
      kept.add(b);
      growths.add(growth);
      if (growth > 48L << 20) {
        break;
      }
    }
    assertTrue(growths.get(growths.size() - 1) > 48L << 20, "RSS grew by " + growths + " bytes");
    assertEquals(1, kept.get(0).get(4096));
  }

  @Test
  void onLinuxFindsMappedLibrariesByName() {
    Assumptions.assumeTrue(Files.isReadable(ProcessMemory.MAPS), "needs /proc/self/maps");
    assertEquals(Boolean.TRUE, ProcessMemory.nativeLibraryMapped("libjvm"));
    assertEquals(Boolean.FALSE, ProcessMemory.nativeLibraryMapped("libno-such-library-here"));
    assertNotNull(ProcessMemory.rssSource());
  }
}
