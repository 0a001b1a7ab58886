package org.calmworkbench.backend.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.calmworkbench.backend.CalmException;

/**
 * This process's memory as the operating system and the JVM see it. The resident set size (RSS)
 * counts everything, including PyTorch's native tensors outside the Java heap, so a leak of
 * NDArrays shows there and not in the heap.
 *
 * <p>RSS: Linux reads {@code VmRSS} from {@code /proc/self/status}; macOS and other Unix systems
 * ask {@code ps -o rss= -p PID}; where neither works (Windows) it is unknown (-1).
 */
public final class ProcessMemory {
  private ProcessMemory() {}

  static final Path STATUS = Path.of("/proc/self/status");
  static final Path MAPS = Path.of("/proc/self/maps");

  /** Where {@link #rssBytes()} comes from on this machine. */
  public static String rssSource() {
    if (Files.isReadable(STATUS)) {
      return "VmRSS in /proc/self/status";
    }
    return isWindows() ? "unknown on Windows" : "ps -o rss= -p PID";
  }

  /** The resident set size in bytes, or -1 when it cannot be read here. */
  public static long rssBytes() {
    if (Files.isReadable(STATUS)) {
      try {
        return parseVmRss(Files.readString(STATUS, StandardCharsets.UTF_8), STATUS.toString());
      } catch (IOException e) {
        return -1;
      }
    }
    if (isWindows()) {
      return -1;
    }
    try {
      Process p = new ProcessBuilder("ps", "-o", "rss=", "-p", Long.toString(ProcessHandle.current().pid()))
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return p.waitFor() == 0 ? parsePsRss(out) : -1;
    } catch (IOException | CalmException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /**
   * The {@code VmRSS:  123456 kB} line of a {@code /proc/PID/status} text, in bytes.
   *
   * @throws CalmException naming {@code source} if the line is missing or not in kB
   */
  public static long parseVmRss(String status, String source) {
    return parseStatusKb(status, "VmRSS", source);
  }

  /**
   * The peak resident set size of this process so far ({@code VmHWM} in /proc/self/status), in
   * bytes; -1 where there is no /proc (macOS, Windows).
   */
  public static long peakRssBytes() {
    if (!Files.isReadable(STATUS)) {
      return -1;
    }
    try {
      return parseStatusKb(Files.readString(STATUS, StandardCharsets.UTF_8), "VmHWM", STATUS.toString());
    } catch (IOException e) {
      return -1;
    }
  }

  /**
   * The {@code FIELD:  123456 kB} line of a {@code /proc/PID/status} text, in bytes.
   *
   * @throws CalmException naming {@code source} if the line is missing or not in kB
   */
  static long parseStatusKb(String status, String field, String source) {
    for (String line : status.split("\n")) {
      if (line.startsWith(field + ":")) {
        String[] parts = line.substring(field.length() + 1).trim().split("\\s+");
        if (parts.length != 2 || !parts[1].equals("kB")) {
          throw new CalmException(source + ": cannot read the " + field + " line '" + line.strip() + "' (expected '"
              + field + ": N kB')");
        }
        try {
          return Long.parseLong(parts[0]) * 1024;
        } catch (NumberFormatException e) {
          throw new CalmException(source + ": " + field + " is not a number in '" + line.strip() + "'");
        }
      }
    }
    throw new CalmException(source + " has no " + field + " line");
  }

  /** The output of {@code ps -o rss=} (kilobytes), in bytes. */
  static long parsePsRss(String out) {
    try {
      return Long.parseLong(out.strip()) * 1024;
    } catch (NumberFormatException e) {
      throw new CalmException("ps -o rss= printed '" + out.strip() + "', not a number of kilobytes");
    }
  }

  /**
   * NDArrays alive in every manager of the PyTorch engine (the system manager and all managers
   * below it): a number that grows step after step is a leak of native tensors.
   */
  public static int liveNdArrays() {
    try (ai.djl.ndarray.NDManager probe = ai.djl.ndarray.NDManager.newBaseManager("PyTorch")) {
      return probe.getParentManager().getManagedArrays().size();
    }
  }

  /** Java heap in use right after a full garbage collection (two, so finalizable objects go too). */
  public static long heapUsedAfterGc() {
    MemoryMXBean bean = ManagementFactory.getMemoryMXBean();
    System.gc();
    System.gc();
    return bean.getHeapMemoryUsage().getUsed();
  }

  /**
   * The heap's floor while other threads finish what they hold: the least of {@code rounds}
   * {@link #heapUsedAfterGc()} readings {@code pauseMillis} apart. One reading right after a job ends
   * can still count that job's last buffers (a GUI session's readings after its cycles went 97, 160,
   * 96 MB in one run and 149, 96, 96 MB in the next, 2 December); a leak raises the floor.
   */
  public static long heapFloorAfterGc(int rounds, long pauseMillis) throws InterruptedException {
    long least = Long.MAX_VALUE;
    for (int i = 0; i < rounds; i++) {
      if (i > 0) {
        Thread.sleep(pauseMillis);
      }
      least = Math.min(least, heapUsedAfterGc());
    }
    return least;
  }

  /**
   * Whether a native library whose file name contains {@code name} is mapped into this process
   * (from {@code /proc/self/maps}); null where that cannot be told (not Linux).
   */
  public static Boolean nativeLibraryMapped(String name) {
    if (!Files.isReadable(MAPS)) {
      return null;
    }
    try (var lines = Files.lines(MAPS, StandardCharsets.UTF_8)) {
      return lines.anyMatch(l -> l.contains("/") && l.substring(l.lastIndexOf('/') + 1).contains(name));
    } catch (IOException | java.io.UncheckedIOException e) {
      return null;
    }
  }

  private static boolean isWindows() {
    return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win");
  }
}
