package io.pier.monitor;

import io.pier.config.PierConfig;
import io.pier.system.Executables;
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
    this.path = config.monitor().map(MonitorBinary::resolve)
        .orElseGet(MonitorBinary::defaultMonitor);
  }

  /** A bare name (such as {@code conmon}) is looked up in {@code PATH}, as pier.runtime is. */
  private static Path resolve(Path configured) {
    String setting = configured.toString();
    if (Executables.isBareName(setting)) {
      return Executables.find(setting).orElse(configured);
    }
    return configured.toAbsolutePath();
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
    String where = path.isAbsolute() ? "" : " in PATH";
    return Optional.of("monitor " + path + " not found" + where + " or not executable"
        + " (set pier.monitor / PIER_MONITOR)");
  }

  /**
   * The piermon of the same distribution as the pierd launcher that started us (so a build
   * tree's pierd uses its own), else the installed one.
   */
  private static Path defaultMonitor() {
    String home = System.getProperty("pierd.home");
    if (home != null && Files.isExecutable(Path.of(home, "bin", "piermon"))) {
      return Path.of(home, "bin", "piermon");
    }
    return INSTALLED;
  }
}
