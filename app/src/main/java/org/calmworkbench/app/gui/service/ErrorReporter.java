package org.calmworkbench.app.gui.service;

import java.lang.reflect.InvocationTargetException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.StorageException;
import org.calmworkbench.backend.data.TokenIds;

/**
 * The one place errors go: a line in the log pane (with the stack trace for unexpected errors) and
 * a notification. Used by the job service for failed jobs and by the global uncaught-exception
 * handler, so the app shows an error instead of losing it, and stays alive.
 */
public final class ErrorReporter {
  private final UiExecutor ui;
  private final LogModel log;
  private final Notifier notifier;

  public ErrorReporter(UiExecutor ui, LogModel log, Notifier notifier) {
    this.ui = ui;
    this.log = log;
    this.notifier = notifier;
  }

  /** Reports {@code t}, which happened while doing {@code what} ("Train autoencoder"); any thread. */
  public void report(String what, Throwable t) {
    String text = describe(t);
    boolean expected = root(t) instanceof CalmException;
    log.error(what + ": " + text, expected ? null : t);
    ui.execute(() -> notifier.show(Notifier.Kind.ERROR, what + " failed", text));
  }

  /** Installs this reporter as the default handler of uncaught exceptions on every thread. */
  public void installAsDefaultHandler() {
    Thread.setDefaultUncaughtExceptionHandler((thread, t) -> report("Unexpected error on " + thread.getName(), t));
  }

  /**
   * What a person reads: a {@link CalmException}'s message as it is (it names what and where), or
   * a short form of anything else with a pointer to the log for details.
   */
  public static String describe(Throwable t) {
    Throwable r = root(t);
    if (r instanceof CalmException c) {
      return c.getMessage();
    }
    if (r instanceof java.nio.file.FileSystemException f) { // a read-only medium, a full disk: not a bug
      return StorageException.reasonAndFile(f);
    }
    if (TokenIds.isMappedFileFault(r)) {
      return TokenIds.MAPPED_FILE_FAULT;
    }
    if (r instanceof OutOfMemoryError) {
      return "out of memory; start with more heap (JAVA_OPTS=-Xmx8g ./calm gui) or use a smaller preset";
    }
    String m = r.getMessage();
    return "internal error: " + r.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + firstLine(m))
        + " (details in the log)";
  }

  /** The innermost meaningful cause: unwraps executor and reflection wrappers, stops at a CalmException. */
  static Throwable root(Throwable t) {
    Throwable cur = t;
    for (int i = 0; i < 20 && cur != null; i++) {
      if (cur instanceof CalmException) {
        return cur;
      }
      boolean wrapper = cur instanceof CompletionException || cur instanceof ExecutionException
          || cur instanceof InvocationTargetException || cur instanceof java.io.UncheckedIOException
          || cur.getClass() == RuntimeException.class && cur.getCause() != null;
      if (!wrapper || cur.getCause() == null) {
        // A CalmException deeper down (e.g. wrapped by a library) still wins.
        for (Throwable c = cur.getCause(); c != null; c = c.getCause()) {
          if (c instanceof CalmException) {
            return c;
          }
        }
        return cur;
      }
      cur = cur.getCause();
    }
    return t;
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() > 200 ? line.substring(0, 200) + "…" : line;
  }
}
