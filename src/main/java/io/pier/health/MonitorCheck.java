package io.pier.health;

import io.pier.monitor.MonitorBinary;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the container monitor binary (piermon or conmon) is executable. */
@Readiness
@ApplicationScoped
public class MonitorCheck implements HealthCheck {

  private final MonitorBinary monitor;

  MonitorCheck(MonitorBinary monitor) {
    this.monitor = monitor;
  }

  @Override
  public HealthCheckResponse call() {
    return Checks.from("monitor", monitor.problem(), "monitor", monitor.path().toString());
  }
}
