package org.calmworkbench.backend.train;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.StorageException;

/**
 * One writer per training folder: {@code OUT/.lock}, held for as long as a run writes there.
 *
 * <p>The exclusion itself is an operating-system file lock on {@code .lock}, which the kernel
 * releases when the holder dies (kill -9 included), so a killed run never blocks the next one. The
 * file's content names the holder (pid, host, start time, command) for the refusal message; a file
 * that still names someone when its lock is free was left by a killed process and is taken over
 * ({@link #tookOverFrom()}). A released lock leaves the file empty. Where the file system has no locks (some network mounts), the content
 * decides alone: a holder on this host whose process is gone is stale, anything else is refused.
 *
 * <p>Within one JVM (the GUI's jobs, tests) a second writer on another thread is refused the same
 * way; the same thread may nest acquisitions (workflow, trainer and loop each take the lock, so
 * each is safe when called on its own).
 */
public final class RunLock implements AutoCloseable {
  public static final String FILE = ".lock";

  /** This JVM's locks by canonical folder; a thread nesting acquisitions shares one entry. */
  private static final Map<Path, RunLock> HELD = new ConcurrentHashMap<>();

  private final Path dir;
  private final Path file;
  private final Thread owner;
  private final Holder holder;
  private final Holder tookOverFrom;
  private final FileChannel channel; // null where the file system has no locks
  private final FileLock lock;
  private final Object fileKey; // the lock file's identity (inode), to notice the folder moved or deleted
  private int depth = 1;

  /** Who holds a lock, as written in the file. */
  public record Holder(long pid, String host, Instant started, Instant processStarted, String command) {
    static Holder current(String command) {
      ProcessHandle self = ProcessHandle.current();
      return new Holder(self.pid(), hostName(), Instant.now().truncatedTo(ChronoUnit.SECONDS),
          self.info().startInstant().orElse(null), command);
    }

    String toJson() {
      JsonObject o = new JsonObject();
      o.addProperty("pid", pid);
      o.addProperty("host", host);
      o.addProperty("started", started.toString());
      if (processStarted != null) {
        o.addProperty("process_started", processStarted.toString());
      }
      o.addProperty("command", command);
      return o.toString() + "\n";
    }

    /** The holder named by a lock file's text; empty when it is blank or not ours. */
    static Optional<Holder> parse(String text) {
      try {
        JsonObject o = JsonParser.parseString(text).getAsJsonObject();
        return Optional.of(new Holder(o.get("pid").getAsLong(), o.get("host").getAsString(),
            Instant.parse(o.get("started").getAsString()),
            o.has("process_started") ? Instant.parse(o.get("process_started").getAsString()) : null,
            o.has("command") ? o.get("command").getAsString() : "?"));
      } catch (RuntimeException e) {
        return Optional.empty();
      }
    }

    /** Whether this holder's process still runs: same host, pid alive and (when known) the same process. */
    boolean alive() {
      if (!host.equals(hostName())) {
        return true; // cannot tell from here; assume it runs
      }
      Optional<ProcessHandle> p = ProcessHandle.of(pid);
      if (p.isEmpty() || !p.get().isAlive()) {
        return false;
      }
      Optional<Instant> start = p.get().info().startInstant();
      // A reused pid: another process now, started at another time (the recorded value is exact to the clock tick).
      return processStarted == null || start.isEmpty()
          || Math.abs(start.get().toEpochMilli() - processStarted.toEpochMilli()) < 2_000;
    }

    /** "pid 1234 on host h, started 2026-12-02T04:10:01Z (calm ae train)". */
    public String describe() {
      return "pid " + pid + " on host " + host + ", started " + started + " (" + command + ")";
    }
  }

  private RunLock(Path dir, Path file, Holder holder, Holder tookOverFrom, FileChannel channel, FileLock lock) {
    this.dir = dir;
    this.file = file;
    this.fileKey = fileKey(file);
    this.owner = Thread.currentThread();
    this.holder = holder;
    this.tookOverFrom = tookOverFrom;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Locks {@code dir} (created if needed) for writing by {@code command} (e.g. "calm ae train").
   *
   * @throws CalmException naming the holder when another process or another job in this JVM writes there
   */
  public static RunLock acquire(Path dir, String command) throws IOException {
    Path key;
    try {
      Files.createDirectories(dir);
      key = dir.toRealPath();
    } catch (IOException e) {
      throw StorageException.of("write to", dir, e);
    }
    synchronized (HELD) {
      RunLock held = HELD.get(key);
      if (held != null) {
        if (held.owner == Thread.currentThread()) {
          held.depth++;
          return held;
        }
        throw refused(key, held.holder, "another job in this workbench");
      }
      RunLock lock;
      try {
        lock = lockFile(key, Holder.current(command));
      } catch (IOException e) { // a read-only folder, a full disk
        throw StorageException.of("write to", dir, e);
      }
      HELD.put(key, lock);
      return lock;
    }
  }

  /** The refusal of {@link #acquire}: another process or job holds the folder. */
  public static final class InUse extends CalmException {
    private static final long serialVersionUID = 1L;

    InUse(String message) {
      super(message);
    }
  }

  /**
   * {@link #acquire}, but while another process or job holds {@code dir}, waits for it to let go,
   * up to {@code patience} or until {@code giveUp} says so; {@code onWait} is called once when the
   * wait starts. For a holder that is
   * known to be stopping: a worker of an experiment grid whose runner was killed finishes its step,
   * saves and exits, and the grid's next run must not take its cell for failed meanwhile.
   *
   * @throws InUse naming the holder when it still holds the folder after {@code patience}, or when
   *     {@code giveUp} turned true while waiting
   */
  public static RunLock acquireWhenFree(Path dir, String command, java.time.Duration patience, Runnable onWait,
      java.util.function.BooleanSupplier giveUp) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + patience.toNanos();
    boolean waited = false;
    while (true) {
      try {
        return acquire(dir, command);
      } catch (InUse e) {
        if (System.nanoTime() > deadline || giveUp.getAsBoolean()) {
          throw e;
        }
        if (!waited) {
          waited = true;
          onWait.run();
        }
        Thread.sleep(100);
      }
    }
  }

  private static RunLock lockFile(Path dir, Holder me) throws IOException {
    Path file = dir.resolve(FILE);
    byte[] mine = me.toJson().getBytes(StandardCharsets.UTF_8);
    FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileLock fl;
    try {
      fl = ch.tryLock();
    } catch (IOException e) { // no locks on this file system: the content decides
      ch.close();
      return byContent(dir, file, me, mine);
    }
    if (fl == null) {
      ch.close();
      throw refused(dir, readHolder(file).orElse(null), "another process");
    }
    // From here on the file is only touched through this channel: POSIX drops a process's lock
    // when it closes any descriptor of the file, so even reading it another way would unlock it.
    try {
      String previous = read(ch);
      ch.truncate(0);
      ch.write(ByteBuffer.wrap(mine), 0);
      ch.force(true);
      return new RunLock(dir, file, me, Holder.parse(previous).orElse(null), ch, fl);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  private static RunLock byContent(Path dir, Path file, Holder me, byte[] mine) throws IOException {
    Optional<Holder> other = readHolder(file);
    if (other.isPresent() && other.get().alive()) {
      throw refused(dir, other.get(), "another process");
    }
    org.calmworkbench.backend.io.AtomicFiles.writeBytes(file, mine);
    return new RunLock(dir, file, me, other.orElse(null), null, null);
  }

  private static InUse refused(Path dir, Holder h, String who) {
    String named = h == null ? who + " (its lock file " + dir.resolve(FILE) + " names no holder yet)" : who + ": " + h.describe();
    return new InUse(dir + " is in use by " + named + "; two runs writing one folder would mix their checkpoints."
        + " Wait for it to finish or stop it, or choose another --out");
  }

  private static Optional<Holder> readHolder(Path file) {
    // The holder writes its name right after locking; give it a moment before saying "no holder".
    for (int i = 0; i < 20; i++) {
      Optional<Holder> h = Holder.parse(readOrEmpty(file));
      if (h.isPresent()) {
        return h;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return Optional.empty();
  }

  private static String readOrEmpty(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) { // missing or unreadable: no holder named
      return "";
    }
  }

  private static String read(FileChannel ch) throws IOException {
    long size = Math.min(ch.size(), 64 * 1024);
    ByteBuffer buf = ByteBuffer.allocate((int) size);
    ch.read(buf, 0);
    return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
  }

  /**
   * Checks that the locked folder is still where it was: its lock file is the one this lock holds.
   * A folder deleted or moved during a run would otherwise be recreated empty by the next save,
   * a checkpoint without its history, in a folder no lock protects.
   *
   * @throws StorageException naming the folder when it was deleted or moved (or its lock file was)
   */
  public void requireInPlace() {
    Object now = fileKey(file);
    if (now == null || (fileKey != null && !fileKey.equals(now))) {
      throw new StorageException(dir + " was deleted or moved while a run was writing it (its lock file " + file
          + " is gone or another); nothing more was written there. If it was moved, resume it from its new place"
          + " with --resume", null);
    }
  }

  private static Object fileKey(Path file) {
    try {
      java.nio.file.attribute.BasicFileAttributes a =
          Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class);
      return a.fileKey() == null ? "present" : a.fileKey();
    } catch (IOException e) {
      return null;
    }
  }

  /** The holder of a lock left by a process that was killed, which this lock took over; null if none. */
  public Holder tookOverFrom() {
    return tookOverFrom;
  }

  public Holder holder() {
    return holder;
  }

  /**
   * Releases the lock (the outermost close of a nested acquisition). The file stays, emptied: a
   * deleted lock file could be locked by one waiting writer while a third creates a new one.
   */
  @Override
  public void close() throws IOException {
    synchronized (HELD) {
      if (--depth > 0) {
        return;
      }
      HELD.remove(dir);
      if (channel == null) {
        Files.deleteIfExists(file); // content-only lock: nothing else to release
        return;
      }
      try {
        channel.truncate(0);
        channel.force(true);
      } finally {
        lock.release();
        channel.close();
      }
    }
  }

  private static String hostName() {
    for (String f : new String[] {"/proc/sys/kernel/hostname", "/etc/hostname"}) {
      try {
        String s = Files.readString(Path.of(f)).strip();
        if (!s.isEmpty()) {
          return s;
        }
      } catch (IOException | RuntimeException e) {
        // try the next
      }
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown-host";
    }
  }
}
