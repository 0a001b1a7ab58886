package org.calmworkbench.backend.train;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.calmworkbench.backend.StorageException;
import org.calmworkbench.backend.io.AtomicFiles;

/**
 * Saves a checkpoint folder as one transaction, so a crash or kill at any moment leaves either the
 * previous checkpoint or the new one, never a mix of the two.
 *
 * <p>A checkpoint is several files (weights, optimizer state, trainer state) that must agree. They
 * are first written to {@code DIR/.pending/}, each fsynced; then a {@code COMMITTED} marker is
 * written; then each file is renamed into {@code DIR}; then {@code .pending} is removed. On the next
 * open, {@link #recover} rolls a committed transaction forward (finishing the renames) and throws an
 * uncommitted one away (the old checkpoint was never touched).
 */
public final class CheckpointFiles {
  static final String PENDING = ".pending";
  static final String COMMITTED = "COMMITTED";

  private CheckpointFiles() {}

  /** Writes one file of the checkpoint at the given path. */
  @FunctionalInterface
  public interface FileWriter {
    void writeTo(Path target) throws IOException;
  }

  /** Test hook: runs before each file of a save is written; a test throws "No space left on device" from it. */
  @FunctionalInterface
  interface WriteHook {
    WriteHook NONE = file -> {};

    void beforeWrite(Path file) throws IOException;
  }

  static volatile WriteHook writeHook = WriteHook.NONE;

  /** A writer for a file given as bytes. */
  public static FileWriter bytes(byte[] content) {
    return target -> AtomicFiles.writeBytes(target, content);
  }

  /** Writes {@code files} (name -> writer) into {@code dir} atomically as a group. */
  public static void commit(Path dir, Map<String, FileWriter> files) throws IOException {
    Files.createDirectories(dir);
    recover(dir);
    Path pending = dir.resolve(PENDING);
    AtomicFiles.deleteTree(pending);
    Files.createDirectories(pending);
    try {
      for (Map.Entry<String, FileWriter> e : files.entrySet()) {
        writeHook.beforeWrite(pending.resolve(e.getKey()));
        e.getValue().writeTo(pending.resolve(e.getKey()));
      }
      AtomicFiles.writeString(pending.resolve(COMMITTED), String.join("\n", files.keySet()) + "\n");
    } catch (IOException | RuntimeException | Error e) {
      // Not committed: the old checkpoint stands. Remove the partial files now rather than at the
      // next open, so a full disk is not left full of them (issue 13).
      discard(pending, e);
      throw e;
    }
    fsyncDir(pending);
    rollForward(dir);
  }

  private static void discard(Path pending, Throwable cause) {
    try {
      AtomicFiles.deleteTree(pending);
    } catch (IOException | RuntimeException again) {
      cause.addSuppressed(again);
    }
  }

  /**
   * {@link #recover}, for a reader: unless a writer holds the folder's {@link RunLock}, whose save
   * in progress is not an interrupted one and must not be thrown away under it.
   */
  public static void recoverUnlessWritten(Path dir) throws IOException {
    if (!Files.isDirectory(dir.resolve(PENDING))) {
      return;
    }
    RunLock lock;
    try {
      lock = RunLock.acquire(dir, "recovering an interrupted save");
    } catch (StorageException e) {
      recover(dir); // no lock possible (a read-only folder): as before, recover says what fails
      return;
    } catch (org.calmworkbench.backend.CalmException e) {
      return; // a live writer: its .pending is its own
    }
    try (lock) {
      recover(dir);
    }
  }

  /** Whether {@code dir} holds a save that was committed but not yet moved into place ({@link #recover} finishes it). */
  static boolean committed(Path dir) {
    return Files.exists(dir.resolve(PENDING).resolve(COMMITTED));
  }

  /** Finishes or discards an interrupted {@link #commit}. Safe to call at any time. */
  public static void recover(Path dir) throws IOException {
    Path pending = dir.resolve(PENDING);
    if (!Files.isDirectory(pending)) {
      return;
    }
    if (Files.exists(pending.resolve(COMMITTED))) {
      rollForward(dir);
    } else {
      AtomicFiles.deleteTree(pending);
    }
  }

  private static void rollForward(Path dir) throws IOException {
    Path pending = dir.resolve(PENDING);
    List<String> names = Files.readAllLines(pending.resolve(COMMITTED));
    for (String name : names) {
      if (name.isBlank()) {
        continue;
      }
      Path src = pending.resolve(name);
      if (Files.exists(src)) { // already moved if an earlier roll-forward was interrupted
        try {
          Files.move(src, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(src, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    fsyncDir(dir);
    AtomicFiles.deleteTree(pending);
  }

  private static void fsyncDir(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Some platforms (Windows) cannot open a directory; the renames are still atomic there.
    }
  }

}
