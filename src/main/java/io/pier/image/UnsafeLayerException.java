package io.pier.image;

/** A layer holds an entry that would write outside the layer's own directory. */
public class UnsafeLayerException extends ImageException {

  /** Names the layer, the entry and why it is refused. */
  public UnsafeLayerException(String layer, String entry, String why) {
    super("layer " + layer + ": entry \"" + entry + "\" refused: " + why);
  }
}
