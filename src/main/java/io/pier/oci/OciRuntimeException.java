package io.pier.oci;

/** The OCI runtime refused an operation; the message names the container and the cause. */
public final class OciRuntimeException extends RuntimeException {

  /** Creates the exception with a message naming the operation, container and cause. */
  public OciRuntimeException(String message) {
    super(message);
  }
}
