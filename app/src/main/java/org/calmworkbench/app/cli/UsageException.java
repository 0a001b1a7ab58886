package org.calmworkbench.app.cli;

import org.calmworkbench.backend.CalmException;

/**
 * A bad command line: unknown command or option, missing or malformed value. Printed like any
 * {@link CalmException} (one line, exit code 2), with a pointer to the command's {@code --help}.
 */
public final class UsageException extends CalmException {
  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message);
  }
}
