package io.pier.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The packaged pierd keeps pulled images across a restart (run by {@code mvnw verify}). */
class ImageRestartIT {

  private Path work;
  private Path config;
  private Process pierd;

  @BeforeEach
  void setUp() throws Exception {
    TestRegistries registries = TestRegistries.get();
    work = Path.of("target/image-restart-it").toAbsolutePath();
    LayerUnpacker.delete(work);
    Files.createDirectories(work);
    config = work.resolve("config.yaml");
    Files.writeString(config, String.join("\n",
        "pier:",
        "  socket: " + work.resolve("run/pier.sock"),
        "  root: " + work.resolve("root"),
        "  run-root: " + work.resolve("run"),
        "  management-port: " + TestRegistries.freePort(),
        "  cni-config-dir: " + Path.of("src/main/dist/cni").toAbsolutePath(),
        "  registry-mirrors:",
        "    - docker.io=" + registries.open,
        "  insecure-registries:",
        "    - " + registries.open,
        ""));
  }

  @AfterEach
  void tearDown() throws Exception {
    stop();
    LayerUnpacker.delete(work);
  }

  private void start() throws Exception {
    Path launcher = Path.of(System.getProperty("pier.dist", "target/pier"), "bin", "pierd");
    pierd = new ProcessBuilder(launcher.toString(), "--config", config.toString())
        .redirectErrorStream(true).redirectOutput(work.resolve("pierd.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (crictlExit("version") == 0) {
        return;
      }
      assertTrue(pierd.isAlive(), "pierd exited: " + Files.readString(work.resolve("pierd.log")));
      Thread.sleep(200);
    }
    throw new AssertionError("pierd did not answer: "
        + Files.readString(work.resolve("pierd.log")));
  }

  private void stop() throws InterruptedException {
    if (pierd != null && pierd.isAlive()) {
      pierd.destroy();
      if (!pierd.waitFor(20, TimeUnit.SECONDS)) {
        pierd.destroyForcibly();
      }
    }
  }

  private List<String> crictl(String... args) {
    String endpoint = "unix://" + work.resolve("run/pier.sock");
    List<String> command = new ArrayList<>(List.of("crictl", "--runtime-endpoint",
        endpoint, "--image-endpoint", endpoint, "--timeout", "30s"));
    command.addAll(List.of(args));
    return command;
  }

  private int crictlExit(String... args) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(crictl(args)).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
  }

  @Test
  void imagesSurviveARestart() throws Exception {
    start();
    TestRegistries.run(crictl("pull", "busybox"));
    String before = TestRegistries.run(crictl("images", "-q"));
    assertTrue(before.startsWith("sha256:"), before);

    stop();
    start();

    assertEquals(before, TestRegistries.run(crictl("images", "-q")));
    assertTrue(TestRegistries.run(crictl("inspecti", "busybox"))
        .contains("docker.io/library/busybox:latest"));
  }
}
