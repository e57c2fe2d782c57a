package io.pier.image;

/** No image (locally, or in any registry asked) answers to a reference. */
public class ImageNotFoundException extends ImageException {

  /** Names the reference that was looked for, and where. */
  public ImageNotFoundException(String message) {
    super(message);
  }
}
