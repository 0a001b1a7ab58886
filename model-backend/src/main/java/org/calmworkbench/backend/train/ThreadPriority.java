package org.calmworkbench.backend.train;

import com.sun.jna.Function;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;

/**
 * Lowers the scheduling priority (raises the nice value) of the calling thread, on Linux.
 *
 * <p>Why: in the workbench, training shares two or four cores with the window. PyTorch's worker
 * threads keep every core busy, so when the JavaFX thread or its renderer wakes for the next
 * frame it can wait for a core. On Linux the nice value belongs to each thread and a thread
 * inherits its creator's, so the engine thread lowering its own priority before the engine starts
 * also lowers PyTorch's worker threads, which it creates. The window then gets a core as soon as
 * it needs one, and training still gets every cycle the window does not use. Java's own
 * {@link Thread#setPriority} does nothing on Linux without root.
 *
 * <p>Only on Linux (glibc's {@code setpriority}); elsewhere it does nothing. Raising the nice
 * value needs no privileges; lowering it back would, so this only ever goes up.
 */
public final class ThreadPriority {
  private ThreadPriority() {}

  private static final Function SETPRIORITY = Libc.function("setpriority");
  private static final Function GETPRIORITY = Libc.function("getpriority");
  private static final int PRIO_PROCESS = 0;

  /**
   * This process's threads as the kernel lists them: task folder ({@code /proc/self/task/TID}) to
   * name (comm, at most 15 characters), in listing order; empty where there is no {@code /proc}.
   */
  public static Map<Path, String> threads() {
    Map<Path, String> out = new LinkedHashMap<>();
    Path tasks = Path.of("/proc/self/task");
    if (!Files.isDirectory(tasks)) {
      return out;
    }
    try (Stream<Path> s = Files.list(tasks)) {
      for (Path t : (Iterable<Path>) s::iterator) {
        try {
          out.put(t, Files.readString(t.resolve("comm")).strip());
        } catch (IOException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      return out;
    }
    return out;
  }

  /** The calling thread's kernel task id (Linux: {@code /proc/thread-self -> PID/task/TID}), if known. */
  public static OptionalInt currentTid() {
    try {
      Path link = Files.readSymbolicLink(Path.of("/proc/thread-self"));
      return OptionalInt.of(Integer.parseInt(link.getFileName().toString()));
    } catch (IOException | RuntimeException e) {
      return OptionalInt.empty();
    }
  }

  /** The calling thread's nice value, if it can be read here. */
  public static OptionalInt currentNice() {
    OptionalInt tid = currentTid();
    if (GETPRIORITY == null || tid.isEmpty()) {
      return OptionalInt.empty();
    }
    try {
      // getpriority returns the nice value (-20..19); -1 is also a valid value, errno is not checked
      return OptionalInt.of(GETPRIORITY.invokeInt(new Object[] {PRIO_PROCESS, tid.getAsInt()}));
    } catch (LinkageError | RuntimeException e) {
      return OptionalInt.empty();
    }
  }

  /**
   * Lowers every thread of this process whose kernel name (comm, at most 15 characters) starts
   * with one of {@code prefixes} to {@code nice}, e.g. the JVM's JIT compiler threads ("C2
   * CompilerThre").
   *
   * @return how many threads run at {@code nice} or lower priority afterwards
   */
  public static int lowerThreadsNamed(int nice, String... prefixes) {
    checkNice(nice);
    if (SETPRIORITY == null || GETPRIORITY == null) {
      return 0;
    }
    int done = 0;
    for (Map.Entry<Path, String> t : threads().entrySet()) {
      if (java.util.Arrays.stream(prefixes).noneMatch(t.getValue()::startsWith)) {
        continue;
      }
      try {
        int tid = Integer.parseInt(t.getKey().getFileName().toString());
        int now = GETPRIORITY.invokeInt(new Object[] {PRIO_PROCESS, tid});
        if (now >= nice || SETPRIORITY.invokeInt(new Object[] {PRIO_PROCESS, tid, nice}) == 0) {
          done++;
        }
      } catch (RuntimeException | LinkageError e) {
        // the call is not available: skip the thread
      }
    }
    return done;
  }

  private static void checkNice(int nice) {
    if (nice < 0 || nice > 19) {
      throw new IllegalArgumentException("nice value " + nice + " is outside 0..19");
    }
  }

  /**
   * Sets the calling thread's nice value to {@code nice} (0..19) if that is lower priority than
   * it has now.
   *
   * @return true if the thread now runs at {@code nice} or lower priority
   */
  public static boolean lowerCurrentThread(int nice) {
    checkNice(nice);
    OptionalInt tid = currentTid();
    OptionalInt now = currentNice();
    if (SETPRIORITY == null || tid.isEmpty() || now.isEmpty()) {
      return false;
    }
    if (now.getAsInt() >= nice) {
      return true;
    }
    try {
      return SETPRIORITY.invokeInt(new Object[] {PRIO_PROCESS, tid.getAsInt(), nice}) == 0;
    } catch (LinkageError | RuntimeException e) {
      return false;
    }
  }
}
