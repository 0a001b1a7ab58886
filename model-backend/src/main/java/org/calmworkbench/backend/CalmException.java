package org.calmworkbench.backend;

/**
 * An error a person can act on: bad input, a bad setting, a corrupt file. The message names what
 * and where (file, line, tensor, key) and, where it helps, what to do. The CLI prints only the
 * message and exits with code 2; the GUI shows it in a notification. Programming errors are not
 * CalmExceptions.
 */
public class CalmException extends RuntimeException {
  public CalmException(String message) {
    super(readable(message));
  }

  public CalmException(String message, Throwable cause) {
    super(readable(message), cause);
  }

  /**
   * The CLI's exit code: 2, the person's input or settings (a {@link StorageException}, where the
   * file system refused a write, is 1).
   */
  public int exitCode() {
    return 2;
  }

  /**
   * A CalmException is one line (the CLI prints {@code error: <message>}, scripts read it): line
   * breaks, e.g. from a quoted parse error, become spaces. Gson's parse errors also end in a pointer
   * to Gson's troubleshooting page and some advise a Gson API; neither helps a person fix a file
   * (both found by ReaderFuzzTest).
   */
  static String readable(String message) {
    if (message == null) {
      return null;
    }
    return message.replaceAll("\\s*\\R\\s*See https://github\\.com/google/gson/\\S*", "")
        .replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON", "malformed JSON")
        .replace("Use JsonReader.setLenient(true) to accept malformed JSON", "malformed JSON")
        .replaceAll("\\s*\\R\\s*", " ");
  }
}
