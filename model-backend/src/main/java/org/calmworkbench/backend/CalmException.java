package org.calmworkbench.backend;

/**
 * An error a person can act on: bad input, a bad setting, a corrupt file. The message names what
 * and where (file, line, tensor, key) and, where it helps, what to do. The CLI prints only the
 * message and exits with code 2; the GUI shows it in a notification. Programming errors are not
 * CalmExceptions.
 */
public class CalmException extends RuntimeException {
  public CalmException(String message) {
    super(message);
  }

  public CalmException(String message, Throwable cause) {
    super(message, cause);
  }
}
