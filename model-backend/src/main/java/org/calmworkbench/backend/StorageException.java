package org.calmworkbench.backend;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The file system refused a write the workbench needed: a full disk, a read-only folder, a folder
 * deleted or moved under a running job. Unlike other {@link CalmException}s this is not the
 * person's input being wrong, so the CLI exits with 1 (docs/CLI.md), still with one line that
 * names the path and says what to do.
 */
public class StorageException extends CalmException {
  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The CLI's exit code for it (an environment failure, not bad input). */
  public static final int EXIT_CODE = 1;

  @Override
  public int exitCode() {
    return EXIT_CODE;
  }

  /**
   * "cannot WHAT in PATH: no space left on device (FILE)"-style message for {@code e}: the reason
   * in words, and the file the system named when it is not {@code path} itself.
   */
  public static StorageException of(String what, Path path, IOException e) {
    String file = e instanceof FileSystemException f && f.getFile() != null && !Path.of(f.getFile()).equals(path)
        ? " (" + f.getFile() + ")" : "";
    return new StorageException("cannot " + what + " " + path + ": " + reason(e) + file, e);
  }

  /** "DOING failed: no space left on device (FILE)": for a file-system failure at a place no save names. */
  public static StorageException during(String doing, IOException e) {
    return new StorageException(doing + " failed: " + reasonAndFile(e), e);
  }

  /** "no space left on device (FILE)": the reason in words, and the file the system named if any. */
  public static String reasonAndFile(IOException e) {
    return reason(e) + (e instanceof FileSystemException f && f.getFile() != null ? " (" + f.getFile() + ")" : "");
  }

  /** What went wrong, in the words of {@code df} and {@code ls}: "no space left on device", "read-only file system". */
  public static String reason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file or folder (deleted or moved?)";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    String r = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
    return r == null ? e.getClass().getSimpleName() : r.toLowerCase(Locale.ROOT);
  }

  /** The first IOException among {@code e} and its causes; null if there is none. */
  public static IOException ioCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IOException io) {
        return io;
      }
    }
    return null;
  }
}
