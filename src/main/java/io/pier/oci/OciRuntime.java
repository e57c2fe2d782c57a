package io.pier.oci;

import io.pier.config.PierConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The OCI runtime binary (runc or crun) that creates and runs containers. */
@ApplicationScoped
public class OciRuntime {

  private final String configured;

  OciRuntime(PierConfig config) {
    this.configured = config.runtime();
  }

  /** The runtime binary as configured: a path or a bare name. */
  public String configured() {
    return configured;
  }

  /** The executable runtime binary, looked up in {@code PATH} when a bare name is set. */
  public Optional<Path> binary() {
    if (configured.contains("/")) {
      Path path = Path.of(configured);
      return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
    }
    String pathVar = System.getenv().getOrDefault("PATH", "/usr/local/sbin:/usr/sbin:/usr/bin");
    for (String dir : (pathVar + ":/usr/local/sbin:/usr/sbin:/sbin").split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, configured);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** Why the runtime cannot be used, or empty when it is found and executable. */
  public Optional<String> problem() {
    if (binary().isPresent()) {
      return Optional.empty();
    }
    return Optional.of("OCI runtime '" + configured + "' not found or not executable"
        + " (set pier.runtime / PIER_RUNTIME)");
  }
}
