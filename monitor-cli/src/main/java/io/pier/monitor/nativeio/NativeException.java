package io.pier.monitor.nativeio;

import java.io.IOException;

/** A failed C library call, carrying the call's name and its errno. */
public final class NativeException extends IOException {
  private final int errno;

  /** Makes the exception for {@code call} that failed with {@code errno}. */
  public NativeException(String call, int errno) {
    super(call + " failed: errno " + errno + " (" + Errno.name(errno) + ")");
    this.errno = errno;
  }

  /** The errno the call left. */
  public int errno() {
    return errno;
  }
}
