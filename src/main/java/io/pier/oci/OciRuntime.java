package io.pier.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pier.config.PierConfig;
import io.pier.system.Executables;
import io.pier.system.HostCommand;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/** The OCI runtime binary (runc or crun) that creates and runs containers. */
@ApplicationScoped
public class OciRuntime {

  private static final Logger LOG = Logger.getLogger(OciRuntime.class);

  private final String configured;
  /** The mount options the runtime announces, read once; null until then. */
  private volatile Set<String> mountOptions;

  OciRuntime(PierConfig config) {
    this.configured = config.runtime();
  }

  /** Whether the runtime can make a bind mount read-only recursively (mount option "rro"). */
  public boolean recursiveReadOnlyMounts() {
    return mountOptions().contains("rro");
  }

  /**
   * The mount options {@code <runtime> features} lists (runc 1.1 and later, crun); none when
   * the runtime cannot tell.
   */
  private Set<String> mountOptions() {
    Set<String> known = mountOptions;
    if (known != null) {
      return known;
    }
    Set<String> options = new HashSet<>();
    Optional<Path> path = binary();
    if (path.isPresent()) {
      try {
        HostCommand.Result features = HostCommand.of(path.get().toString(), "features").run();
        if (features.succeeded()) {
          new ObjectMapper().readTree(features.stdout()).path("mountOptions")
              .forEach((JsonNode o) -> options.add(o.asText()));
        }
      } catch (IOException | RuntimeException e) {
        LOG.debugf("%s features: %s", path.get(), e.getMessage());
      }
    }
    mountOptions = Set.copyOf(options);
    return mountOptions;
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
