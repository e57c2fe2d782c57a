package io.pier.image;

/** An image reference that cannot be parsed. */
public class InvalidReferenceException extends ImageException {

  /** Names the reference and what is wrong with it. */
  public InvalidReferenceException(String reference, String problem) {
    super("invalid image reference \"" + reference + "\": " + problem);
  }
}
