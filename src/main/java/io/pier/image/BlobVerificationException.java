package io.pier.image;

/** A blob's content does not match its descriptor: wrong digest, wrong size, or truncated. */
public class BlobVerificationException extends ImageException {

  /** Names the blob with the expected and the actual value. */
  public BlobVerificationException(String message) {
    super(message);
  }
}
