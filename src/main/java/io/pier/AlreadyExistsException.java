package io.pier;

/** A name or object kubelet asked to create is already taken; answered as ALREADY_EXISTS. */
public final class AlreadyExistsException extends RuntimeException {

  /** Creates the exception with a message naming the object and who holds it. */
  public AlreadyExistsException(String message) {
    super(message);
  }
}
