package io.pier.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import org.junit.jupiter.api.Test;

/** Liveness and readiness on the management interface, with every named check. */
@QuarkusTest
class HealthTest {

  @TestHTTPResource(value = "health/live", management = true)
  URL live;

  @TestHTTPResource(value = "health/ready", management = true)
  URL ready;

  @Test
  void liveWhileTheCriSocketServes() {
    given().get(live).then()
        .statusCode(200)
        .body("status", equalTo("UP"))
        .body("checks.name", hasItems("cri-server"));
  }

  @Test
  void allChecksListEachCheckOnce() {
    given().get(live.toString().replace("/health/live", "/health")).then()
        .statusCode(200)
        .body("checks.name", containsInAnyOrder("cri-server", "oci-runtime", "monitor",
            "state-directories", "cri-socket", "cni-config"));
  }

  @Test
  void readyWithEveryCheckUp() {
    given().get(ready).then()
        .statusCode(200)
        .body("status", equalTo("UP"))
        .body("checks.name",
            hasItems("oci-runtime", "monitor", "state-directories", "cri-socket",
                "cni-config"));
  }

  @Test
  void managementInterfaceListensOnLoopbackOnly() {
    org.junit.jupiter.api.Assertions.assertEquals("127.0.0.1", ready.getHost());
  }
}
