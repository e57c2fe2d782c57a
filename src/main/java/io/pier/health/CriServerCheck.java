package io.pier.health;

import io.pier.cri.CriSocketServer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** Live while the CRI server runs; whether its socket answers is the readiness check's. */
@Liveness
@ApplicationScoped
public class CriServerCheck implements HealthCheck {

  private final CriSocketServer server;

  CriServerCheck(CriSocketServer server) {
    this.server = server;
  }

  @Override
  public HealthCheckResponse call() {
    Optional<String> problem = server.isServing() ? Optional.empty()
        : Optional.of("the CRI server is not running");
    return Checks.from("cri-server", problem, "socket", server.socket().toString());
  }
}
