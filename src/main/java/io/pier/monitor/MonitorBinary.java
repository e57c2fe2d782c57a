package io.pier.monitor;

import io.pier.config.PierConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The per-container monitor pierd spawns: piermon by default, or conmon when configured. */
@ApplicationScoped
public class MonitorBinary {

  /** Where node packages install piermon. */
  static final Path INSTALLED = Path.of("/usr/libexec/pier/piermon");

  private final Path path;

  MonitorBinary(PierConfig config) {
    this.path = config.monitor().orElseGet(MonitorBinary::defaultMonitor).toAbsolutePath();
  }

  /** The monitor binary's path. */
  public Path path() {
    return path;
  }

  /** Why the monitor cannot be spawned, or empty when it is executable. */
  public Optional<String> problem() {
    if (Files.isRegularFile(path) && Files.isExecutable(path)) {
      return Optional.empty();
    }
    return Optional.of("monitor " + path + " not found or not executable"
        + " (set pier.monitor / PIER_MONITOR)");
  }

  /** The installed piermon, else the one beside the pierd launcher that started us. */
  private static Path defaultMonitor() {
    if (Files.isExecutable(INSTALLED)) {
      return INSTALLED;
    }
    String home = System.getProperty("pierd.home");
    return home == null ? INSTALLED : Path.of(home, "bin", "piermon");
  }
}
