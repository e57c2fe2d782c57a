package io.pier.health;

import io.pier.network.CniNetworkConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when a CNI network configuration and all its plugins are present. */
@Readiness
@ApplicationScoped
public class CniConfigCheck implements HealthCheck {

  private final CniNetworkConfig cni;

  CniConfigCheck(CniNetworkConfig cni) {
    this.cni = cni;
  }

  @Override
  public HealthCheckResponse call() {
    return Checks.from("cni-config", cni.problem(), "network",
        cni.defaultNetwork().map(n -> n.name() + " (" + n.file() + ")").orElse("none"));
  }
}
