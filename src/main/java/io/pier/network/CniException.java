package io.pier.network;

/** A CNI plugin refused or failed an operation; the message names the plugin and the pod. */
public final class CniException extends RuntimeException {

  /** Creates the exception with a message naming plugin, pod and cause. */
  public CniException(String message) {
    super(message);
  }
}
