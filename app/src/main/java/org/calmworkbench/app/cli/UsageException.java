package org.calmworkbench.app.cli;

import org.calmworkbench.backend.CalmException;

/**
 * A bad command line: unknown command or option, missing or malformed value. Printed like any
 * {@link CalmException} (one line, exit code 2), with a pointer to the command's {@code --help}.
 */
public final class UsageException extends CalmException {
  private static final long serialVersionUID = 1L;

  private final String command;

  public UsageException(String message) {
    this(message, null);
  }

  /** @param command the command whose line was bad ({@code "ae train"}), or null if none was named */
  public UsageException(String message, String command) {
    super(message);
    this.command = command;
  }

  /** The command whose line was bad, or null. */
  public String command() {
    return command;
  }
}
