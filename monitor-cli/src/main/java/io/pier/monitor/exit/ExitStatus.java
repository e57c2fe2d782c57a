package io.pier.monitor.exit;

/** Turns a raw wait(2) status into the exit code callers expect. */
public final class ExitStatus {
  private ExitStatus() {}

  /** The exit code for {@code status}: the code a process exited with, or 128 + the signal. */
  public static int code(int status) {
    int signal = status & 0x7f;
    if (signal == 0) {
      return (status >> 8) & 0xff;
    }
    if (signal != 0x7f) {
      return 128 + signal;
    }
    return -1;
  }

  /** Whether {@code status} says the process exited normally with code 0. */
  public static boolean succeeded(int status) {
    return (status & 0x7f) == 0 && ((status >> 8) & 0xff) == 0;
  }
}
