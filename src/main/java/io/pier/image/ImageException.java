package io.pier.image;

/** A failure of the image service whose message names the image and the cause. */
public class ImageException extends RuntimeException {

  /** A failure with its message. */
  public ImageException(String message) {
    super(message);
  }

  /** A failure with its message and underlying cause. */
  public ImageException(String message, Throwable cause) {
    super(message, cause);
  }
}
