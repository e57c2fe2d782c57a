package io.pier.health;

import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/** Builds a named check result from an optional problem, with details either way. */
final class Checks {

  private Checks() {}

  static HealthCheckResponse from(String name, Optional<String> problem, String key,
      String value) {
    HealthCheckResponseBuilder builder = HealthCheckResponse.named(name)
        .status(problem.isEmpty())
        .withData(key, value);
    problem.ifPresent(p -> builder.withData("problem", p));
    return builder.build();
  }
}
