package io.pier.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.pier.config.PierConfig;
import io.pier.cri.CriClient;
import io.pier.cri.v1.RuntimeCondition;
import io.pier.cri.v1.StatusRequest;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A wrong runtime path turns readiness DOWN, naming the check, and RuntimeReady false. */
@QuarkusTest
@TestProfile(MissingRuntimeTest.WrongRuntimePath.class)
class MissingRuntimeTest {

  /** pierd configured with a runtime binary that does not exist. */
  public static class WrongRuntimePath implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("pier.runtime", "/nonexistent/runc");
    }
  }

  @TestHTTPResource(value = "health/ready", management = true)
  URL ready;

  @Inject
  PierConfig config;

  @Test
  void readinessIsDownAndNamesTheRuntimeCheck() {
    given().get(ready).then()
        .statusCode(503)
        .body("status", equalTo("DOWN"))
        .body("checks.find { it.name == 'oci-runtime' }.status", equalTo("DOWN"))
        .body("checks.find { it.name == 'oci-runtime' }.data.problem",
            containsString("/nonexistent/runc"))
        .body("checks.find { it.name == 'cri-socket' }.status", equalTo("UP"));
  }

  @Test
  void statusReportsRuntimeNotReadyWithTheCause() throws Exception {
    try (CriClient client = new CriClient(config.socket().toAbsolutePath())) {
      RuntimeCondition runtime = client.runtime().status(StatusRequest.getDefaultInstance())
          .getStatus().getConditionsList().stream()
          .filter(c -> c.getType().equals("RuntimeReady"))
          .findFirst().orElseThrow();

      assertFalse(runtime.getStatus());
      assertEquals("RuntimeNotReady", runtime.getReason());
      assertEquals(true, runtime.getMessage().contains("/nonexistent/runc"), runtime.getMessage());
    }
  }
}
