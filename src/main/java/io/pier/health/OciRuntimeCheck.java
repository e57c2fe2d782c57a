package io.pier.health;

import io.pier.oci.OciRuntime;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the OCI runtime binary is found and executable. */
@Readiness
@ApplicationScoped
public class OciRuntimeCheck implements HealthCheck {

  private final OciRuntime runtime;

  OciRuntimeCheck(OciRuntime runtime) {
    this.runtime = runtime;
  }

  @Override
  public HealthCheckResponse call() {
    return Checks.from("oci-runtime", runtime.problem(), "runtime",
        runtime.binary().map(Path::toString).orElse(runtime.configured()));
  }
}
