package org.calmworkbench.backend.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes files so that a crash or kill at any moment leaves either the old file or the new one,
 * never a torn mix: write to a temp file in the same folder, fsync, then rename over the target.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Something that writes a file's whole content to a stream. */
  @FunctionalInterface
  public interface Writer {
    void write(OutputStream out) throws IOException;
  }

  public static void write(Path target, Writer writer) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
          OutputStream out = new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch), 1 << 20)) {
        writer.write(out);
        out.flush();
        ch.force(true);
      }
      keepPermissions(tmp, target);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Deletes the temp files that {@link #write} of {@code target} left behind when its process was
   * killed mid-write ({@code .NAME.<random>.tmp} beside it). Only for a folder's one writer (its lock
   * held): another live writer's temp file would go too.
   */
  public static void deleteLeftovers(Path target) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      return;
    }
    String prefix = "." + target.getFileName() + ".";
    try (java.nio.file.DirectoryStream<Path> left = Files.newDirectoryStream(dir, p -> {
      String n = p.getFileName().toString();
      return n.startsWith(prefix) && n.endsWith(".tmp");
    })) {
      for (Path p : left) {
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * Temp files are created private (0600); give the new file the old file's permissions, or the
   * usual rw-r--r-- for a new one, so an atomic save does not make files unreadable to others.
   */
  private static void keepPermissions(Path tmp, Path target) throws IOException {
    if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      return;
    }
    Set<PosixFilePermission> perms = Files.exists(target)
        ? Files.getPosixFilePermissions(target)
        : PosixFilePermissions.fromString("rw-r--r--");
    Files.setPosixFilePermissions(tmp, perms);
  }

  public static void writeBytes(Path target, byte[] bytes) throws IOException {
    write(target, out -> out.write(bytes));
  }

  public static void writeString(Path target, String text) throws IOException {
    writeBytes(target, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Copies the folder {@code from} to {@code to} (created as needed), leaving out every entry whose
   * path relative to {@code from} satisfies {@code skip} (a skipped folder with all it holds). The
   * copies are writable by their owner even where the originals are read-only (an install folder):
   * a copy is its owner's to change. A training folder's {@code .lock} is left out. Not atomic;
   * copy into a temporary folder and move it into place where a half copy must never be seen.
   */
  public static void copyTree(Path from, Path to, java.util.function.Predicate<Path> skip) throws IOException {
    Files.walkFileTree(from, new java.nio.file.SimpleFileVisitor<>() {
      @Override
      public java.nio.file.FileVisitResult preVisitDirectory(Path dir, java.nio.file.attribute.BasicFileAttributes a)
          throws IOException {
        Path rel = from.relativize(dir);
        if (!rel.toString().isEmpty() && skip.test(rel)) {
          return java.nio.file.FileVisitResult.SKIP_SUBTREE;
        }
        Files.createDirectories(to.resolve(rel.toString()));
        return java.nio.file.FileVisitResult.CONTINUE;
      }

      @Override
      public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes a)
          throws IOException {
        Path rel = from.relativize(file);
        // A run's lock file (train.RunLock) is never copied: a copy of a lock means nothing, and
        // reading it from the process that holds it would release the lock (POSIX record locks).
        if (!skip.test(rel) && !file.getFileName().toString().equals(".lock")) {
          Path copy = to.resolve(rel.toString());
          Files.copy(file, copy);
          copy.toFile().setWritable(true, true);
        }
        return java.nio.file.FileVisitResult.CONTINUE;
      }
    });
  }

  /**
   * Deletes {@code root} and everything under it, deepest first; nothing if it does not exist.
   *
   * @throws IOException naming the first entry that could not be deleted
   */
  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    java.util.List<Path> all;
    try (java.util.stream.Stream<Path> s = Files.walk(root)) {
      all = s.sorted(java.util.Comparator.reverseOrder()).toList();
    }
    for (Path p : all) {
      Files.deleteIfExists(p);
    }
  }
}
