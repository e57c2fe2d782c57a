package io.pier;

/** An object is not in the state a request needs (a stopped pod, an exited container). */
public final class FailedPreconditionException extends RuntimeException {

  /** A failure whose message names the object and the state it is in. */
  public FailedPreconditionException(String message) {
    super(message);
  }
}
