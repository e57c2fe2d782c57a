package io.pier.monitor;

/** The monitor or the runtime under it failed to create a container; the message says why. */
public final class MonitorException extends RuntimeException {

  /** Creates the exception with a message naming the container and the cause. */
  public MonitorException(String message) {
    super(message);
  }
}
