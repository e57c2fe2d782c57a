package io.pier.image;

/** A registry refused the credentials (or the lack of them); never carries a secret. */
public class RegistryAuthException extends ImageException {

  /** Names the registry and what it refused. */
  public RegistryAuthException(String message) {
    super(message);
  }
}
