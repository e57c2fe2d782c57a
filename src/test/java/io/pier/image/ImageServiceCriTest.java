package io.pier.image;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;
import io.pier.config.PierConfig;
import io.pier.cri.CriClient;
import io.pier.cri.v1.ImageSpec;
import io.pier.cri.v1.ImageStatusRequest;
import io.pier.cri.v1.PullImageRequest;
import io.pier.state.StateDirectories;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The CRI ImageService of a running pierd, driven by crictl and by a gRPC client. */
@QuarkusTest
@WithTestResource(TestRegistriesResource.class)
class ImageServiceCriTest {

  @Inject
  PierConfig config;

  @Inject
  StateDirectories dirs;

  @Inject
  MeterRegistry meters;

  @TestHTTPResource(value = "metrics", management = true)
  URL metrics;

  private final ObjectMapper json = new ObjectMapper();

  /** What crictl printed and how it exited. */
  record Run(int exit, String out, String err) {}

  private Run crictl(String... args) throws IOException, InterruptedException {
    String endpoint = "unix://" + config.socket().toAbsolutePath();
    List<String> command = new ArrayList<>(List.of("crictl", "--runtime-endpoint", endpoint,
        "--image-endpoint", endpoint, "--timeout", "60s"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).start();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    assertTrue(p.waitFor(90, TimeUnit.SECONDS), "crictl finished");
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8),
        new String(err, StandardCharsets.UTF_8));
  }

  private Run ok(String... args) throws Exception {
    Run run = crictl(args);
    assertEquals(0, run.exit(), "crictl " + String.join(" ", args) + ": " + run.err());
    return run;
  }

  private JsonNode imagesJson() throws Exception {
    return json.readTree(ok("images", "-o", "json").out()).path("images");
  }

  @Test
  void crictlPullsShortNameThroughTheMirrorAndInspects() throws Exception {
    Run pull = ok("pull", "busybox");
    assertTrue(pull.out().contains("sha256:"), pull.out());

    Run images = ok("images");
    assertTrue(images.out().contains("docker.io/library/busybox"), images.out());
    JsonNode inspect = json.readTree(ok("inspecti", "busybox").out());
    assertTrue(inspect.path("status").path("repoTags").toString()
        .contains("\"docker.io/library/busybox:latest\""), inspect.toString());
    assertEquals("sh", inspect.path("info").path("imageSpec").path("config").path("Cmd").get(0)
        .asText());
    assertEquals(inspect.path("status").path("id").asText(),
        inspect.path("info").path("imageId").asText());
  }

  @Test
  void crictlPullsByDigestAndReportsUsers() throws Exception {
    TestRegistries r = TestRegistries.get();
    ok("pull", r.open + "/pier-test/busybox-uid");
    JsonNode uid = json.readTree(ok("inspecti", r.open + "/pier-test/busybox-uid").out())
        .path("status");
    assertEquals("1000", uid.path("uid").path("value").asText());
    String byDigest = uid.path("repoDigests").get(0).asText();

    ok("rmi", uid.path("id").asText());
    assertFalse(ok("images").out().contains("busybox-uid"));
    ok("pull", byDigest);
    JsonNode again = json.readTree(ok("inspecti", byDigest).out()).path("status");
    assertEquals(uid.path("id").asText(), again.path("id").asText());
    assertEquals(byDigest, again.path("repoDigests").get(0).asText());
  }

  @Test
  void crictlPullsWithCredentialsAndNeverShowsThePassword() throws Exception {
    TestRegistries r = TestRegistries.get();
    String image = r.auth + "/pier-test/busybox-user";

    Run refused = crictl("pull", "--creds", TestRegistries.USER + ":wrong-horse", image);
    assertNotEquals(0, refused.exit());
    assertTrue(refused.err().contains("Unauthenticated"), refused.err());
    assertFalse(refused.err().contains("wrong-horse"), refused.err());

    ok("pull", "--creds", TestRegistries.USER + ":" + TestRegistries.PASSWORD, image);
    JsonNode status = json.readTree(ok("inspecti", image).out()).path("status");
    assertEquals("pier", status.path("username").asText());
  }

  @Test
  void unknownImageAndDeadRegistryAnswerWithTheRightCodes() throws Exception {
    TestRegistries r = TestRegistries.get();
    Run missing = crictl("pull", r.open + "/pier-test/absent:1");
    assertNotEquals(0, missing.exit());
    assertTrue(missing.err().contains("NotFound"), missing.err());
    assertTrue(missing.err().contains(r.open + "/pier-test/absent:1"), missing.err());

    try (CriClient client = new CriClient(config.socket().toAbsolutePath())) {
      StatusRuntimeException down = assertThrows(StatusRuntimeException.class,
          () -> client.images().pullImage(PullImageRequest.newBuilder()
              .setImage(ImageSpec.newBuilder().setImage("127.0.0.1:1/nothing")).build()));
      // Not configured insecure: HTTPS to a closed port.
      assertEquals(Status.Code.UNAVAILABLE, down.getStatus().getCode());
      assertTrue(down.getStatus().getDescription().contains("connection refused"),
          down.getStatus().getDescription());
      assertTrue(down.getStatus().getDescription().startsWith(
          "pulling image 127.0.0.1:1/nothing: "), down.getStatus().getDescription());

      StatusRuntimeException invalid = assertThrows(StatusRuntimeException.class,
          () -> client.images().pullImage(PullImageRequest.newBuilder()
              .setImage(ImageSpec.newBuilder().setImage("Not A/Reference")).build()));
      assertEquals(Status.Code.INVALID_ARGUMENT, invalid.getStatus().getCode());

      assertFalse(client.images().imageStatus(ImageStatusRequest.newBuilder()
          .setImage(ImageSpec.newBuilder().setImage("never/pulled")).build()).hasImage());
    }
    assertTrue(meters.get("pier.image.pulls").tag("outcome", "not_found").timer().count() >= 1);
    assertTrue(meters.get("pier.image.pulls").tag("outcome", "unavailable").timer().count()
        >= 1);
  }

  @Test
  void crictlRmiUntagsThenRemovesAndImagefsinfoMeasures() throws Exception {
    TestRegistries r = TestRegistries.get();
    ok("pull", r.open + "/pier-test/layers");
    ok("pull", r.open + "/pier-test/multiarch");
    JsonNode fs = json.readTree(ok("imagefsinfo", "-o", "json").out());
    JsonNode imageFs = fs.path("status").path("imageFilesystems").get(0);
    assertTrue(imageFs.path("usedBytes").path("value").asLong() > 1_000_000, fs.toString());
    assertTrue(imageFs.path("inodesUsed").path("value").asLong() > 300, fs.toString());

    ok("pull", r.open + "/pier-test/busybox");
    ok("pull", r.open + "/library/busybox");
    JsonNode both = json.readTree(ok("inspecti", r.open + "/library/busybox").out());
    int tags = both.path("status").path("repoTags").size();
    assertTrue(tags >= 2, both.toString());
    ok("rmi", r.open + "/library/busybox");
    JsonNode one = json.readTree(ok("inspecti", r.open + "/pier-test/busybox").out());
    assertEquals(tags - 1, one.path("status").path("repoTags").size(), one.toString());
    assertFalse(one.toString().contains(r.open + "/library/busybox:latest"), one.toString());

    ok("rmi", r.open + "/pier-test/layers");
    String listed = imagesJson().toString();
    assertFalse(listed.contains("pier-test/layers"), listed);
    assertTrue(listed.contains("pier-test/multiarch"), listed);

    ImageStore reopened = new ImageStore(dirs.imageStore(), dirs.containerStore());
    assertTrue(reopened.find(r.open + "/pier-test/multiarch").isPresent(), "kept on disk");
    assertTrue(reopened.find(r.open + "/pier-test/layers").isEmpty());
    assertTrue(meters.get("pier.image.pulls").tag("outcome", "success").timer().count() >= 4);
    assertTrue(meters.get("pier.image.pulled.bytes").counter().count() > 1_000_000);
    String text = given().get(metrics).then().statusCode(200).extract().asString();
    for (String series : List.of("pier_image_pulls_seconds_count{outcome=\"success\"}",
        "pier_image_pulls_seconds_sum{outcome=\"success\"}", "pier_image_pulled_bytes_total",
        "pier_image_store_bytes")) {
      assertTrue(text.contains(series), "no " + series + " in /q/metrics");
    }
  }
}
