package io.pier.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pier.image.TestRegistries;
import io.pier.system.HostCommand;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * Pods and containers made through real crictl for integration tests: a pierd on the loopback
 * registry as the docker.io mirror, pod and container configs under a test's directory, and
 * the check that nothing is left afterwards.
 */
final class PodFixture {

  private final ObjectMapper json = new ObjectMapper();
  private final Path tmp;

  PodFixture(Path tmp) {
    this.tmp = tmp;
  }

  PierdProcess pierd(Path home, String monitor) throws IOException {
    TestRegistries registries = TestRegistries.get();
    PierdProcess pierd = new PierdProcess(home)
        .env("PIER_REGISTRY_MIRRORS", "docker.io=" + registries.open)
        .env("PIER_INSECURE_REGISTRIES", registries.open);
    if (monitor.equals("conmon")) {
      pierd.env("PIER_MONITOR", "/usr/bin/conmon");
    }
    return pierd;
  }

  static void pull(PierdProcess pierd, String image) throws Exception {
    Crictl.Result pull = Crictl.run(pierd.endpoint(), "pull", image);
    assertEquals(0, pull.exitCode(), pull.stderr());
  }

  String runPod(PierdProcess pierd, String name, int hostPort) throws Exception {
    Path config = podConfig(name);
    if (hostPort > 0) {
      Files.writeString(config, Files.readString(config).replace("\"labels\"",
          "\"port_mappings\": [{\"container_port\": 8080, \"host_port\": " + hostPort
              + ", \"host_ip\": \"127.0.0.1\"}], \"labels\""));
    }
    Crictl.Result run = Crictl.run(pierd.endpoint(), "runp", config.toString());
    assertEquals(0, run.exitCode(), run.stderr());
    return run.stdout().strip();
  }

  String createAndStart(PierdProcess pierd, String pod, String name,
      List<String> command) throws Exception {
    Crictl.Result created = Crictl.run(pierd.endpoint(), "create", pod,
        containerConfig(name, command).toString(), podConfig(podName(pod, pierd)).toString());
    assertEquals(0, created.exitCode(), created.stderr());
    String id = created.stdout().strip();
    Crictl.Result started = Crictl.run(pierd.endpoint(), "start", id);
    assertEquals(0, started.exitCode(), started.stderr());
    return id;
  }

  String podName(String pod, PierdProcess pierd) throws Exception {
    Crictl.Result result = Crictl.run(pierd.endpoint(), "inspectp", pod);
    return json.readTree(result.stdout()).at("/status/metadata/name").asText();
  }

  Path podConfig(String name) throws IOException {
    Path file = tmp.resolve("pod-" + name + ".json");
    if (!Files.exists(file)) {
      Files.writeString(file, """
          {"metadata": {"name": "%s", "namespace": "it", "uid": "%s", "attempt": 0},
           "hostname": "%s", "log_directory": "%s", "labels": {"suite": "it"},
           "linux": {"security_context": {"namespace_options": {"pid": 1}}}}
          """.formatted(name, UUID.randomUUID(), name, tmp.resolve("logs/" + name)));
    }
    return file;
  }

  Path containerConfig(String name, List<String> command) throws IOException {
    Path file = tmp.resolve("ctr-" + name + ".json");
    Files.writeString(file, """
        {"metadata": {"name": "%s"}, "image": {"image": "busybox"},
         "command": %s, "log_path": "%s.log", "labels": {"suite": "it"}}
        """.formatted(name, json.writeValueAsString(command), name));
    return file;
  }

  JsonNode inspect(PierdProcess pierd, String ctr) throws Exception {
    Crictl.Result result = Crictl.run(pierd.endpoint(), "inspect", ctr);
    assertEquals(0, result.exitCode(), result.stderr());
    return json.readTree(result.stdout());
  }

  JsonNode awaitExited(PierdProcess pierd, String ctr) throws Exception {
    for (int i = 0; i < 100; i++) {
      JsonNode status = inspect(pierd, ctr);
      if (status.at("/status/state").asText().equals("CONTAINER_EXITED")) {
        return status;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("container " + ctr + " did not exit");
  }

  static String awaitLog(PierdProcess pierd, String ctr, String text) throws Exception {
    String log = "";
    for (int i = 0; i < 100 && !log.contains(text); i++) {
      Crictl.Result logs = Crictl.run(pierd.endpoint(), "logs", ctr);
      log = logs.stdout() + logs.stderr();
      Thread.sleep(100);
    }
    assertTrue(log.contains(text), log);
    return log;
  }

  static String get(String url) {
    try {
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      return client.send(HttpRequest.newBuilder(URI.create(url))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /** No mount, monitor or runtime state of this test's pierd is left. */
  static void assertNothingLeft(Path home) throws IOException {
    String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
    assertFalse(mounts.contains(home.toString()), "mounts left under " + home);
    String processes = HostCommand.of("ps", "-eo", "args").run().stdout();
    assertFalse(processes.contains(home.toString()), "processes left: " + processes.lines()
        .filter(l -> l.contains(home.toString())).toList());
    Path runc = home.resolve("run/runc");
    if (Files.isDirectory(runc)) {
      try (var left = Files.list(runc)) {
        assertEquals(List.of(), left.toList(), "runtime state left");
      }
    }
  }
}
