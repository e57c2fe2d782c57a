package io.pier.health;

import io.pier.state.StateDirectories;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the root and run-root directories exist and are writable. */
@Readiness
@ApplicationScoped
public class StateDirectoriesCheck implements HealthCheck {

  private final StateDirectories dirs;

  StateDirectoriesCheck(StateDirectories dirs) {
    this.dirs = dirs;
  }

  @Override
  public HealthCheckResponse call() {
    return Checks.from("state-directories", dirs.problem(), "directories",
        dirs.root() + " " + dirs.runRoot());
  }
}
