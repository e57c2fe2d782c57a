package io.pier.oci;

import io.pier.config.PierConfig;
import io.pier.system.Executables;
import jakarta.enterprise.context.ApplicationScoped;
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
    return Executables.find(configured);
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
