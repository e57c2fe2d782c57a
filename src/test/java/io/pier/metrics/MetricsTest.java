package io.pier.metrics;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pier.config.PierConfig;
import io.pier.cri.CriClient;
import io.pier.cri.v1.ContainerStatusRequest;
import io.pier.cri.v1.VersionRequest;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** CRI calls show up in the Prometheus histogram, by method and status code. */
@QuarkusTest
class MetricsTest {

  @TestHTTPResource(value = "metrics", management = true)
  URL metrics;

  @Inject
  PierConfig config;

  @Test
  void callsAreCountedByMethodAndCode() throws Exception {
    double before = count("Version", "OK");
    try (CriClient client = new CriClient(config.socket().toAbsolutePath())) {
      client.runtime().version(VersionRequest.getDefaultInstance());
      client.runtime().version(VersionRequest.getDefaultInstance());
      try {
        client.runtime().containerStatus(
            ContainerStatusRequest.newBuilder().setContainerId("no-such-container").build());
      } catch (io.grpc.StatusRuntimeException expected) {
        // An unknown container: counted under its own code.
      }
    }

    assertTrue(count("Version", "OK") >= before + 2, "Version calls not counted");
    assertTrue(count("ContainerStatus", "NOT_FOUND") >= 1, "failed call not counted");
    String text = given().get(metrics).then().statusCode(200).extract().asString();
    assertTrue(text.contains("pier_cri_requests_seconds_bucket{code=\"OK\",method=\"Version\""),
        "no histogram buckets for Version");
    assertTrue(text.contains("jvm_memory_used_bytes"), "no JVM metrics");
  }

  private double count(String method, String code) {
    String text = given().get(metrics).then().statusCode(200).extract().asString();
    Matcher m = Pattern.compile("pier_cri_requests_seconds_count\\{code=\"" + code
        + "\",method=\"" + method + "\",service=\"\\w+\"} ([0-9.E]+)").matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
