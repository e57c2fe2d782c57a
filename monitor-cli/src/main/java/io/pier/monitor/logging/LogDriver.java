package io.pier.monitor.logging;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Reads conmon's --log-path values: a plain path, k8s-file:PATH, or none/off/null. */
public final class LogDriver {
  private LogDriver() {}

  /**
   * Returns the CRI log file the values name, or empty when logging is off.
   *
   * @throws IllegalArgumentException for a driver piermon does not implement
   */
  public static Optional<Path> resolve(List<String> values) {
    Optional<Path> file = Optional.empty();
    for (String value : values) {
      int colon = value.indexOf(':');
      String driver = colon < 0 ? value : value.substring(0, colon);
      String path = colon < 0 ? "" : value.substring(colon + 1);
      if (driver.equals("none") || driver.equals("off") || driver.equals("null")) {
        continue;
      }
      if (colon < 0) {
        file = Optional.of(Path.of(value));
      } else if (driver.equals("k8s-file")) {
        if (path.isEmpty()) {
          throw new IllegalArgumentException("log driver k8s-file needs a file name");
        }
        file = Optional.of(Path.of(path));
      } else {
        // Limitation: journald and passthrough logging are not implemented.
        throw new IllegalArgumentException("log driver " + driver
            + " is not supported; use k8s-file:PATH or a plain path");
      }
    }
    return file;
  }
}
