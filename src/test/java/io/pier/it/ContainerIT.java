package io.pier.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pier.image.TestRegistries;
import io.pier.system.HostCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Containers through real crictl against the packaged pierd, with images from the loopback
 * registry as the docker.io mirror: the whole life of a container, its logs and exec, a port
 * mapping, bad input, and a kill -9 of pierd while containers run and log.
 */
class ContainerIT {

  private final ObjectMapper json = new ObjectMapper();

  @TempDir
  Path tmp;

  private PodFixture pods;

  @BeforeEach
  void makeFixture() {
    pods = new PodFixture(tmp);
  }

  @AfterEach
  void removeLeftovers() throws IOException {
    Leftovers.remove(tmp);
  }

  @Test
  void containerRunsLogsExecsStopsAndLeavesNothingBehind() throws Exception {
    Path home = tmp.resolve("pier");
    try (PierdProcess pierd = pods.pierd(home, "piermon").start()) {
      PodFixture.pull(pierd, "busybox");
      String pod = pods.runPod(pierd, "web", 0);
      String ctr = pods.createAndStart(pierd, pod, "greeter", List.of("sh", "-c",
          "echo hello from pier; echo to stderr >&2; exec sleep 1000"));

      JsonNode status = pods.inspect(pierd, ctr);
      assertEquals("CONTAINER_RUNNING", status.at("/status/state").asText());
      assertTrue(status.at("/status/imageRef").asText().contains("busybox")
          || status.at("/status/imageRef").asText().startsWith("sha256:"));
      String log = PodFixture.awaitLog(pierd, ctr, "to stderr");
      assertTrue(log.contains("hello from pier"), log);

      Crictl.Result exec = Crictl.run(pierd.endpoint(), "exec", "-s", ctr, "sh", "-c",
          "echo $((6 * 7)); cat /etc/hostname");
      assertEquals(0, exec.exitCode(), exec.stderr());
      // crictl prints stdout, then stderr, each followed by a newline.
      assertEquals("42\nweb\n\n\n", exec.stdout());
      Crictl.Result failed = Crictl.run(pierd.endpoint(), "exec", "-s", ctr, "sh", "-c",
          "exit 3");
      assertTrue(failed.stderr().contains("exited with 3"), failed.stderr());
      Crictl.Result flood = Crictl.run(pierd.endpoint(), "exec", "-s", ctr, "head", "-c",
          "20000000", "/dev/zero");
      assertEquals(0, flood.exitCode(), flood.stderr());
      assertTrue(flood.stdout().length() > 16_000_000 && flood.stdout().length() < 16_777_216,
          "exec output of " + flood.stdout().length() + " chars");
      Crictl.Result timedOut = Crictl.run(pierd.endpoint(), "exec", "-s", "--timeout", "1",
          ctr, "sleep", "30");
      assertTrue(timedOut.exitCode() != 0, timedOut.stdout());

      long start = System.nanoTime();
      Crictl.Result stop = Crictl.run(pierd.endpoint(), "stop", "--timeout", "2", ctr);
      assertEquals(0, stop.exitCode(), stop.stderr());
      long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(took < 10_000, "stop took " + took + " ms");
      assertTrue(pierd.output().contains(ctr
          + " (greeter): stopping with SIGTERM, SIGKILL after 2s"), pierd.output());
      status = pods.inspect(pierd, ctr);
      assertEquals("CONTAINER_EXITED", status.at("/status/state").asText());
      // sh as PID 1 ignores SIGTERM, so the stop ends in SIGKILL: 128 + 9.
      assertEquals(137, status.at("/status/exitCode").asInt());
      assertEquals("Error", status.at("/status/reason").asText());

      Crictl.Result rm = Crictl.run(pierd.endpoint(), "rm", ctr);
      assertEquals(0, rm.exitCode(), rm.stderr());
      assertTrue(Crictl.run(pierd.endpoint(), "inspect", ctr).stderr().contains("NotFound"));
      assertEquals(0, Crictl.run(pierd.endpoint(), "stopp", pod).exitCode());
      assertEquals(0, Crictl.run(pierd.endpoint(), "rmp", pod).exitCode());
    }
    PodFixture.assertNothingLeft(home);
  }

  @Test
  void exitCodesReasonsAndBadInput() throws Exception {
    try (PierdProcess pierd = pods.pierd(tmp.resolve("pier"), "piermon").start()) {
      PodFixture.pull(pierd, "busybox");
      String pod = pods.runPod(pierd, "jobs", 0);
      String ok = pods.createAndStart(pierd, pod, "ok", List.of("true"));
      String failing = pods.createAndStart(pierd, pod, "failing", List.of("sh", "-c", "exit 7"));
      assertEquals("Completed", pods.awaitExited(pierd, ok).at("/status/reason").asText());
      JsonNode failed = pods.awaitExited(pierd, failing);
      assertEquals(7, failed.at("/status/exitCode").asInt());
      assertEquals("Error", failed.at("/status/reason").asText());

      Crictl.Result again = Crictl.run(pierd.endpoint(), "create", pod,
          pods.containerConfig("ok", List.of("true")).toString(),
          pods.podConfig("jobs").toString());
      assertTrue(again.stderr().contains("AlreadyExists"), again.stderr());
      Path ghost = pods.containerConfig("ghost", List.of("true"));
      Files.writeString(ghost, Files.readString(ghost).replace("busybox", "nothing-here"));
      Crictl.Result noImage = Crictl.run(pierd.endpoint(), "create", "--no-pull", pod,
          ghost.toString(), pods.podConfig("jobs").toString());
      assertTrue(noImage.stderr().contains("NotFound"), noImage.stderr());
      assertTrue(noImage.stderr().contains("nothing-here"), noImage.stderr());
      Path badMount = tmp.resolve("bad-mount.json");
      Files.writeString(badMount, """
          {"metadata": {"name": "badmount"}, "image": {"image": "busybox"},
           "command": ["true"], "mounts": [{"container_path": "/x",
           "host_path": "/does/not/exist/pier"}]}
          """);
      Crictl.Result bad = Crictl.run(pierd.endpoint(), "create", pod, badMount.toString(),
          pods.podConfig("jobs").toString());
      assertTrue(bad.stderr().contains("InvalidArgument"), bad.stderr());
      assertTrue(bad.stderr().contains("/does/not/exist/pier"), bad.stderr());
      Path noBinary = pods.containerConfig("nobinary", List.of("/no/such/binary"));
      Crictl.Result refused = Crictl.run(pierd.endpoint(), "create", pod, noBinary.toString(),
          pods.podConfig("jobs").toString());
      // crictl's own verdict: one line, the runtime's error without the warnings before it.
      String refusal = refused.stderr().lines().filter(l -> l.contains("level=fatal"))
          .findFirst().orElse(refused.stderr());
      assertTrue(refusal.contains("Internal desc = creating container"), refusal);
      assertTrue(refusal.contains("stat /no/such/binary: no such file or directory"), refusal);
      assertFalse(refusal.contains("freezer"), refusal);
      Crictl.Result unknown = Crictl.run(pierd.endpoint(), "inspect", "feedface");
      assertTrue(unknown.stderr().contains("NotFound"), unknown.stderr());
      assertTrue(unknown.stderr().contains("feedface"), unknown.stderr());
      assertEquals(List.of(failing, ok), Crictl.run(pierd.endpoint(), "ps", "-a", "-q")
          .stdout().lines().toList());

      // A container whose monitor was killed can still be stopped; its exit code is unknown.
      String orphan = pods.createAndStart(pierd, pod, "orphan", List.of("sleep", "1000"));
      int monitorPid = pods.inspect(pierd, orphan).at("/info/monitorPid").asInt();
      assertTrue(monitorPid > 0);
      assertEquals(0, HostCommand.of("kill", "-9", Integer.toString(monitorPid)).run()
          .exitCode());
      Crictl.Result stopped = Crictl.run(pierd.endpoint(), "stop", "--timeout", "1", orphan);
      assertEquals(0, stopped.exitCode(), stopped.stderr());
      JsonNode lost = pods.inspect(pierd, orphan);
      assertEquals("CONTAINER_EXITED", lost.at("/status/state").asText());
      assertEquals(255, lost.at("/status/exitCode").asInt());
      assertTrue(lost.at("/status/message").asText().contains("monitor"), lost.toString());
      assertEquals(0, Crictl.run(pierd.endpoint(), "stop", "feedface").exitCode(),
          "stopping an unknown container is no error");
      assertEquals(0, Crictl.run(pierd.endpoint(), "rmp", "-f", pod).exitCode());
    }
    PodFixture.assertNothingLeft(tmp.resolve("pier"));
  }

  @Test
  void logsFollowStatsAndListingsShowARunningContainer() throws Exception {
    Path home = tmp.resolve("pier");
    try (PierdProcess pierd = pods.pierd(home, "piermon").start()) {
      PodFixture.pull(pierd, "busybox");
      String pod = pods.runPod(pierd, "watched", 0);
      String ctr = pods.createAndStart(pierd, pod, "talker", List.of("sh", "-c",
          "for i in 1 2 3 4 5; do echo tick $i; sleep 0.3; done;"
              + " head -c 8000000 /dev/zero > /tmp/ballast; exec sleep 1000"));

      // crictl logs -f follows the log while lines still come in.
      Process follow = new ProcessBuilder(Crictl.binary("CRICTL", "crictl"),
          "--runtime-endpoint", pierd.endpoint(), "logs", "-f", ctr)
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      StringBuilder followed = new StringBuilder();
      try (var reader = follow.inputReader()) {
        String line;
        while ((line = reader.readLine()) != null) {
          followed.append(line).append('\n');
          if (line.equals("tick 5")) {
            break;
          }
        }
      } finally {
        follow.destroy();
        follow.waitFor(10, TimeUnit.SECONDS);
      }
      assertEquals("tick 1\ntick 2\ntick 3\ntick 4\ntick 5\n", followed.toString());

      assertEquals(List.of(pod), Crictl.run(pierd.endpoint(), "pods", "--name", "watched",
          "--state", "ready", "-q").stdout().lines().toList());
      assertEquals(List.of(ctr), Crictl.run(pierd.endpoint(), "ps", "--pod", pod,
          "--state", "running", "-q").stdout().lines().toList());
      assertEquals("", Crictl.run(pierd.endpoint(), "ps", "--state", "exited", "-q")
          .stdout().strip());

      JsonNode stats = null;
      for (int i = 0; i < 50; i++) {
        Crictl.Result result = Crictl.run(pierd.endpoint(), "stats", "-o", "json", "--id",
            ctr);
        assertEquals(0, result.exitCode(), result.stderr());
        stats = json.readTree(result.stdout()).at("/stats/0");
        if (stats.at("/writableLayer/usedBytes/value").asLong() >= 8_000_000) {
          break;
        }
        Thread.sleep(200);
      }
      assertEquals(ctr, stats.at("/attributes/id").asText());
      assertTrue(stats.at("/memory/workingSetBytes/value").asLong() > 0, stats.toString());
      assertTrue(stats.at("/cpu/usageCoreNanoSeconds/value").asLong() > 0, stats.toString());
      assertTrue(stats.at("/writableLayer/usedBytes/value").asLong() >= 8_000_000,
          stats.toString());
      JsonNode podStats = json.readTree(Crictl.run(pierd.endpoint(), "statsp", "-o", "json",
          "--id", pod).stdout());
      assertEquals(pod, podStats.at("/stats/0/attributes/id").asText(), podStats.toString());

      String cgroupsPath = json.readTree(Crictl.run(pierd.endpoint(), "inspect", ctr).stdout())
          .at("/info/runtimeSpec/linux/cgroupsPath").asText();
      assertFalse(cgroupsPath.isEmpty());
      assertTrue(Files.isDirectory(memoryCgroup(cgroupsPath)), cgroupsPath);

      // Limits go down, then up again (swap follows memory), and the status reports them.
      for (long limit : List.of(64L << 20, 128L << 20)) {
        Crictl.Result update = Crictl.run(pierd.endpoint(), "update", "--memory",
            Long.toString(limit), "--cpu-quota", "50000", ctr);
        assertEquals(0, update.exitCode(), update.stderr());
        assertEquals(limit, memoryLimit(cgroupsPath));
        JsonNode resources = pods.inspect(pierd, ctr).at("/status/resources/linux");
        assertEquals(limit, resources.at("/memoryLimitInBytes").asLong(), resources.toString());
        assertEquals(50000, resources.at("/cpuQuota").asLong(), resources.toString());
      }
      assertEquals(0, Crictl.run(pierd.endpoint(), "rmp", "-f", pod).exitCode());
      assertFalse(Files.exists(memoryCgroup(cgroupsPath)), "cgroup left: " + cgroupsPath);
    }
    PodFixture.assertNothingLeft(home);
  }

  @Test
  void containersOfAPodShareTheInfraContainersPidNamespace() throws Exception {
    Path home = tmp.resolve("pier");
    TestRegistries registries = TestRegistries.get();
    try (PierdProcess pierd = pods.pierd(home, "piermon")
        .env("PIER_REGISTRY_MIRRORS", "docker.io=" + registries.open + ",registry.k8s.io="
            + registries.open).start()) {
      PodFixture.pull(pierd, "busybox");
      Path config = pods.podConfig("shared");
      Files.writeString(config, Files.readString(config).replace("\"pid\": 1", "\"pid\": 0"));
      String pod = pods.runPod(pierd, "shared", 0);
      JsonNode podStatus = json.readTree(Crictl.run(pierd.endpoint(), "inspectp", pod)
          .stdout());
      assertEquals("POD", podStatus.at("/status/linux/namespaces/options/pid").asText());
      String sleeper = pods.createAndStart(pierd, pod, "sleeper", List.of("sleep", "1000"));
      String looker = pods.createAndStart(pierd, pod, "looker", List.of("sleep", "1001"));

      // PID 1 is the pause process, alone; both containers' processes see each other.
      Crictl.Result ps = Crictl.run(pierd.endpoint(), "exec", "-s", looker, "ps", "-o",
          "pid,args");
      assertEquals(0, ps.exitCode(), ps.stderr());
      List<String> lines = ps.stdout().lines().map(String::strip).toList();
      assertTrue(lines.contains("1 /pause"), ps.stdout());
      assertEquals(List.of(), lines.stream().filter(l -> l.contains("sleep 3600")).toList());
      assertTrue(lines.stream().anyMatch(l -> l.endsWith("sleep 1000")), ps.stdout());
      assertEquals("1", Crictl.run(pierd.endpoint(), "images", "-q",
          "registry.k8s.io/pause:3.10").stdout().lines().count() + "");

      assertEquals(0, Crictl.run(pierd.endpoint(), "stopp", pod).exitCode());
      assertEquals("CONTAINER_EXITED", pods.inspect(pierd, sleeper).at("/status/state").asText());
      assertEquals(0, Crictl.run(pierd.endpoint(), "rmp", pod).exitCode());
    }
    PodFixture.assertNothingLeft(home);
  }

  @Test
  void aPodWhosePauseImageCannotBePulledFailsAndLeavesNothing() throws Exception {
    Path home = tmp.resolve("pier");
    String missing = TestRegistries.get().open + "/pier-test/no-such-pause:1";
    try (PierdProcess pierd = pods.pierd(home, "piermon").env("PIER_PAUSE_IMAGE", missing)
        .start()) {
      Path config = pods.podConfig("nopause");
      Files.writeString(config, Files.readString(config).replace("\"pid\": 1", "\"pid\": 0"));
      Crictl.Result run = Crictl.run(pierd.endpoint(), "runp", config.toString());
      assertTrue(run.stderr().contains("NotFound"), run.stderr());
      assertTrue(run.stderr().contains("no-such-pause"), run.stderr());
      assertEquals("", Crictl.run(pierd.endpoint(), "pods", "-q").stdout().strip());
    }
    PodFixture.assertNothingLeft(home);
  }

  @Test
  void portMappingAnswersOnTheHost() throws Exception {
    int hostPort = TestRegistries.freePort();
    try (PierdProcess pierd = pods.pierd(tmp.resolve("pier"), "piermon").start()) {
      PodFixture.pull(pierd, "busybox");
      String pod = pods.runPod(pierd, "http", hostPort);
      pods.createAndStart(pierd, pod, "httpd", List.of("sh", "-c",
          "mkdir -p /www && echo served by pier > /www/index.html"
              + " && exec httpd -f -p 8080 -h /www"));
      String body = "";
      for (int i = 0; i < 50 && !body.contains("served"); i++) {
        body = PodFixture.get("http://127.0.0.1:" + hostPort + "/index.html");
        Thread.sleep(200);
      }
      assertEquals("served by pier", body.strip());
      assertEquals(0, Crictl.run(pierd.endpoint(), "rmp", "-f", pod).exitCode());
    }
    PodFixture.assertNothingLeft(tmp.resolve("pier"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"piermon", "conmon"})
  void aReopenedLogIsBackAtItsPathWhenTheCallReturns(String monitor) throws Exception {
    Path home = tmp.resolve(monitor);
    try (PierdProcess pierd = pods.pierd(home, monitor).start()) {
      PodFixture.pull(pierd, "busybox");
      String pod = pods.runPod(pierd, "rotated", 0);
      String ctr = pods.createAndStart(pierd, pod, "ticker", List.of("sh", "-c",
          "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.1; done"));
      PodFixture.awaitLog(pierd, ctr, "tick 1");
      Path log = Path.of(pods.inspect(pierd, ctr).at("/status/logPath").asText());

      // As kubelet rotates: rename the file, then ask for a new one at the old path.
      Files.move(log, log.resolveSibling(log.getFileName() + ".1"));
      Crictl.Result reopen = Crictl.run(pierd.endpoint(), "logs", "--reopen", ctr);
      assertEquals(0, reopen.exitCode(), reopen.stderr());
      assertTrue(Files.exists(log), "no new log at " + log + " after the reopen");
      for (int i = 0; i < 50 && Files.size(log) == 0; i++) {
        Thread.sleep(100);
      }
      assertTrue(Files.readString(log).contains(" stdout F tick "), Files.readString(log));
      assertEquals(0, Crictl.run(pierd.endpoint(), "rmp", "-f", pod).exitCode());
    }
    PodFixture.assertNothingLeft(home);
  }

  @ParameterizedTest
  @ValueSource(strings = {"piermon", "conmon"})
  void containersAndTheirLogsSurviveAKillOfPierd(String monitor) throws Exception {
    Path home = tmp.resolve(monitor);
    String pod;
    String counter;
    String quitter;
    try (PierdProcess pierd = pods.pierd(home, monitor).start()) {
      PodFixture.pull(pierd, "busybox");
      pod = pods.runPod(pierd, "survivor", 0);
      counter = pods.createAndStart(pierd, pod, "counter", List.of("sh", "-c",
          "i=0; while true; do echo line $i; i=$((i+1)); sleep 0.02; done"));
      quitter = pods.createAndStart(pierd, pod, "quitter", List.of("sh", "-c",
          "sleep 3; exit 42"));
      PodFixture.awaitLog(pierd, counter, "line 10");
      pierd.kill();
    }
    Thread.sleep(4000);
    try (PierdProcess pierd = pods.pierd(home, monitor).start()) {
      assertEquals("CONTAINER_RUNNING", pods.inspect(pierd, counter).at("/status/state").asText());
      JsonNode quit = pods.inspect(pierd, quitter);
      assertEquals("CONTAINER_EXITED", quit.at("/status/state").asText());
      assertEquals(42, quit.at("/status/exitCode").asInt());
      assertEquals(0, Crictl.run(pierd.endpoint(), "stop", "-t", "0", counter).exitCode());
      assertTrue(pierd.output().contains(counter + " (counter): stopping with SIGKILL\n"),
          pierd.output());
      List<String> lines = Crictl.run(pierd.endpoint(), "logs", counter).stdout().lines()
          .toList();
      assertTrue(lines.size() > 150, "only " + lines.size() + " lines");
      for (int i = 0; i < lines.size(); i++) {
        assertEquals("line " + i, lines.get(i), "log line " + i + " missing or out of order");
      }
      assertEquals(0, Crictl.run(pierd.endpoint(), "stopp", pod).exitCode());
      assertEquals(0, Crictl.run(pierd.endpoint(), "rmp", pod).exitCode());
    }
    PodFixture.assertNothingLeft(home);
  }

  /** The memory cgroup of a cgroupfs cgroups path, on a cgroup v1 or v2 host. */
  private static Path memoryCgroup(String cgroupsPath) {
    Path v1 = Path.of("/sys/fs/cgroup/memory");
    Path root = Files.isDirectory(v1) ? v1 : Path.of("/sys/fs/cgroup");
    return root.resolve(cgroupsPath.replaceFirst("^/", ""));
  }

  /** The memory limit in force for a cgroupfs cgroups path, on cgroup v1 or v2. */
  private static long memoryLimit(String cgroupsPath) throws IOException {
    Path dir = memoryCgroup(cgroupsPath);
    Path v1 = dir.resolve("memory.limit_in_bytes");
    long limit = Long.parseLong(Files.readString(
        Files.exists(v1) ? v1 : dir.resolve("memory.max")).strip());
    Path swap = dir.resolve("memory.memsw.limit_in_bytes");
    if (Files.exists(swap)) {
      assertEquals(limit, Long.parseLong(Files.readString(swap).strip()), "memory+swap limit");
    }
    return limit;
  }
}
