package io.pier;

/** A reason pierd cannot start that an operator can fix; its message is shown as is. */
public final class PierStartupException extends RuntimeException {

  /** Creates the exception with the one-line message shown to the operator. */
  public PierStartupException(String message) {
    super(message);
  }

  /** Creates the exception with the one-line message and the underlying cause. */
  public PierStartupException(String message, Throwable cause) {
    super(message, cause);
  }
}
