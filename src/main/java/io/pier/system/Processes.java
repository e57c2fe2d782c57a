package io.pier.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Facts about host processes read from {@code /proc}. */
public final class Processes {

  private Processes() {
  }

  /**
   * Whether the process runs: it exists and is not a zombie. A killed monitor stays a zombie
   * where nothing reaps it, and signal 0 still reaches a zombie.
   */
  public static boolean isRunning(int pid) {
    if (pid <= 0) {
      return false;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
      // The state letter follows the command name, which is in parentheses and may hold ")".
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException | IndexOutOfBoundsException e) {
      return false;
    }
  }
}
