package io.pier.image;

/** A registry could not be reached or answered with a server error. */
public class RegistryUnavailableException extends ImageException {

  /** Names the registry and the cause. */
  public RegistryUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
