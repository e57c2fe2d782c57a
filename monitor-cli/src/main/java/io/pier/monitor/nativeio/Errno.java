package io.pier.monitor.nativeio;

/** The errno values piermon reacts to, with their Linux numbers. */
public final class Errno {
  public static final int ESRCH = 3;
  public static final int EINTR = 4;
  public static final int EIO = 5;
  public static final int ECHILD = 10;
  public static final int EAGAIN = 11;
  public static final int EEXIST = 17;
  public static final int EINVAL = 22;
  public static final int EPIPE = 32;

  private Errno() {}

  /** Returns the symbolic name of the errnos piermon knows, else the number. */
  public static String name(int errno) {
    return switch (errno) {
      case 1 -> "EPERM";
      case 2 -> "ENOENT";
      case ESRCH -> "ESRCH";
      case EINTR -> "EINTR";
      case EIO -> "EIO";
      case 9 -> "EBADF";
      case ECHILD -> "ECHILD";
      case EAGAIN -> "EAGAIN";
      case 13 -> "EACCES";
      case EEXIST -> "EEXIST";
      case EINVAL -> "EINVAL";
      case EPIPE -> "EPIPE";
      case 111 -> "ECONNREFUSED";
      default -> String.valueOf(errno);
    };
  }
}
