package io.pier;

/** A pod, container or image kubelet named does not exist; answered as NOT_FOUND. */
public final class NotFoundException extends RuntimeException {

  /** Creates the exception with a message naming the object that was looked for. */
  public NotFoundException(String message) {
    super(message);
  }
}
