package io.pier.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pier.cri.v1.ContainerConfig;
import io.pier.cri.v1.ContainerMetadata;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.DirectoryStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged pierd as an operator runs it: real processes, real crictl. */
class PierdIT {

  private final ObjectMapper json = new ObjectMapper();

  @TempDir
  Path tmp;

  @Test
  void crictlVersionAndInfoAgainstAFreshDaemon() throws Exception {
    try (PierdProcess pierd = new PierdProcess(tmp.resolve("a")).start()) {
      Crictl.Result version = Crictl.run(pierd.endpoint(), "version");
      assertEquals(0, version.exitCode(), version.stderr());
      assertTrue(version.stdout().contains("RuntimeName:  pier"), version.stdout());
      assertTrue(version.stdout().contains("RuntimeApiVersion:  v1"), version.stdout());

      Crictl.Result info = Crictl.run(pierd.endpoint(), "info");
      assertEquals(0, info.exitCode(), info.stderr());
      JsonNode status = json.readTree(info.stdout()).get("status");
      for (JsonNode condition : status.get("conditions")) {
        assertTrue(condition.get("status").asBoolean(), condition.toString());
      }
      assertEquals(2, status.get("conditions").size());

      Crictl.Result fs = Crictl.run(pierd.endpoint(), "imagefsinfo");
      assertEquals(0, fs.exitCode(), fs.stderr());
      assertTrue(fs.stdout().contains(tmp.resolve("a/root/images").toString()), fs.stdout());
    }
  }

  @Test
  void legacyGrpcGoClientSendingTheSocketPathAsAuthorityIsServed() throws Exception {
    String client = Crictl.binary("LEGACY_CRI_CLIENT", "legacy-cri-client");
    try (PierdProcess pierd = new PierdProcess(tmp.resolve("legacy")).start()) {
      Process p = new ProcessBuilder(client, pierd.endpoint()).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes());

      assertEquals(0, p.waitFor(), output);
      assertTrue(output.contains("RuntimeName: pier"), output);
    }
  }

  @Test
  void healthAndMetricsAnswerOnTheLoopbackManagementPort() throws Exception {
    try (PierdProcess pierd = new PierdProcess(tmp.resolve("m")).start()) {
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + pierd.managementPort();
      Crictl.run(pierd.endpoint(), "version");

      assertEquals(200, get(http, base + "/q/health/live").statusCode());
      assertEquals(200, get(http, base + "/q/health/ready").statusCode());
      String metrics = get(http, base + "/q/metrics").body();
      assertTrue(metrics.contains("pier_cri_requests_seconds_count{code=\"OK\",method=\"Version\""),
          "Version call missing from metrics");
    }
  }

  @Test
  void onlyTheCriSocketAndLoopbackManagementAndStreamingPortsListen() throws Exception {
    try (PierdProcess pierd = new PierdProcess(tmp.resolve("listeners")).start()) {
      Set<String> inodes = new HashSet<>();
      try (DirectoryStream<Path> fds = Files.newDirectoryStream(
          Path.of("/proc", Long.toString(pierd.pid()), "fd"))) {
        for (Path fd : fds) {
          String target;
          try {
            target = Files.readSymbolicLink(fd).toString();
          } catch (java.nio.file.NoSuchFileException closedMeanwhile) {
            continue;
          }
          if (target.startsWith("socket:[")) {
            inodes.add(target.substring(8, target.length() - 1));
          }
        }
      }

      List<String> tcp = listening(Path.of("/proc/net/tcp"), inodes);
      tcp.addAll(listening(Path.of("/proc/net/tcp6"), inodes));
      Matcher streaming = Pattern.compile("port-forward on http://127\\.0\\.0\\.1:(\\d+)")
          .matcher(pierd.output());
      assertTrue(streaming.find(), pierd.output());
      Set<String> expected = new HashSet<>();
      for (int port : List.of(pierd.managementPort(), Integer.parseInt(streaming.group(1)))) {
        expected.add(String.format("%04X", port));
      }
      assertEquals(expected.size(), tcp.size(), "TCP listeners: " + tcp);
      for (String address : tcp) {
        String[] hostPort = address.split(":");
        assertTrue(hostPort[0].equals("0100007F")
            || hostPort[0].equals("0000000000000000FFFF00000100007F"), "not loopback: " + address);
        assertTrue(expected.remove(hostPort[1]), "unexpected listener: " + address);
      }
      List<String> unix = Files.readAllLines(Path.of("/proc/net/unix")).stream()
          .map(line -> line.trim().split("\\s+"))
          .filter(f -> f.length >= 7 && inodes.contains(f[6]) && f[3].equals("00010000"))
          .map(f -> f.length > 7 ? f[7] : "")
          .toList();
      assertEquals(1, unix.size(), "unix listeners: " + unix);
    }
  }

  /** Local addresses of sockets in LISTEN state that belong to the given inodes. */
  private static List<String> listening(Path table, Set<String> inodes) throws Exception {
    List<String> found = new ArrayList<>();
    List<String> lines = Files.readAllLines(table);
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.trim().split("\\s+");
      if (f[3].equals("0A") && inodes.contains(f[9])) {
        found.add(f[1]);
      }
    }
    return found;
  }

  @Test
  void twoDaemonsRunSideBySide() throws Exception {
    try (PierdProcess first = new PierdProcess(tmp.resolve("one")).start();
        PierdProcess second = new PierdProcess(tmp.resolve("two")).start()) {
      for (PierdProcess pierd : List.of(first, second)) {
        Crictl.Result version = Crictl.run(pierd.endpoint(), "version");
        assertEquals(0, version.exitCode(), version.stderr());
      }
      first.close();
      assertFalse(Files.exists(first.socket()), "socket left behind after a clean stop");
      assertTrue(second.isAlive());
      assertEquals(0, Crictl.run(second.endpoint(), "version").exitCode());
    }
  }

  @Test
  void secondDaemonOnTheSameSocketExitsWithOneClearLine() throws Exception {
    try (PierdProcess first = new PierdProcess(tmp.resolve("first")).start()) {
      PierdProcess second = new PierdProcess(tmp.resolve("second"))
          .env("PIER_SOCKET", first.socket().toString())
          .launch();

      assertEquals(1, second.awaitExit());
      String lastLine = lastLine(second.output());
      assertEquals("pierd: another pierd is already serving " + first.socket()
          + "; stop it, or give this one its own socket with PIER_SOCKET", lastLine);
      assertEquals(0, Crictl.run(first.endpoint(), "version").exitCode(),
          "the first daemon must keep serving");
    }
  }

  @Test
  void staleSocketFromACrashedDaemonIsReplaced() throws Exception {
    PierdProcess pierd = new PierdProcess(tmp.resolve("stale"));
    Files.createDirectories(pierd.socket().getParent());
    try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      dead.bind(UnixDomainSocketAddress.of(pierd.socket()));
    }
    assertTrue(Files.exists(pierd.socket()), "stale socket file should remain after close");

    try (PierdProcess running = pierd.start()) {
      assertEquals(0, Crictl.run(running.endpoint(), "version").exitCode());
    }
  }

  @Test
  void invalidValueRefusesToStartNamingTheKey() throws Exception {
    PierdProcess pierd = new PierdProcess(tmp.resolve("bad"))
        .env("PIER_MANAGEMENT_PORT", "not-a-port")
        .launch();

    assertNotEquals(0, pierd.awaitExit());
    String line = lastLine(pierd.output());
    assertTrue(line.startsWith("pierd: invalid configuration: pier.management-port="), line);
    assertFalse(Files.exists(pierd.socket()), "no socket may be left by a refused start");
  }

  @Test
  void unknownKeyInTheConfigFileRefusesToStart() throws Exception {
    Path config = Files.writeString(tmp.resolve("config.yaml"), "pier:\n  sokcet: /tmp/x\n");
    String line = refusal(new PierdProcess(tmp.resolve("unknown"))
        .arg("--config").arg(config.toString())
        .launch());

    assertEquals("pierd: invalid configuration: unknown setting pier.sokcet in " + config, line);
  }

  @Test
  void malformedConfigFileIsNamedInTheError() throws Exception {
    Path config = Files.writeString(tmp.resolve("broken.yaml"), "pier:\n  socket: [\n");

    String line = refusal(new PierdProcess(tmp.resolve("broken"))
        .arg("--config").arg(config.toString())
        .launch());

    assertTrue(line.startsWith("pierd: cannot read configuration file " + config), line);
  }

  @Test
  void quarkusSettingsInTheConfigFileAreRefused() throws Exception {
    Path config = Files.writeString(tmp.resolve("open.yaml"),
        "quarkus:\n  management:\n    host: 0.0.0.0\n");

    String line = refusal(new PierdProcess(tmp.resolve("open"))
        .arg("--config").arg(config.toString())
        .launch());

    assertEquals("pierd: invalid configuration: unknown setting quarkus.management.host in "
        + config + " (settings live under pier:)", line);
  }

  @Test
  void managementPortInUseIsNamedAndNoSocketIsLeft() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      PierdProcess pierd = new PierdProcess(tmp.resolve("busy"))
          .env("PIER_MANAGEMENT_PORT", Integer.toString(taken.getLocalPort()))
          .launch();

      assertNotEquals(0, pierd.awaitExit());
      assertEquals("pierd: pier.management-port " + taken.getLocalPort()
          + " on 127.0.0.1 is in use by another process; choose another with"
          + " PIER_MANAGEMENT_PORT", lastLine(pierd.output()));
      assertFalse(Files.exists(pierd.socket()), "socket left behind by a failed start");
    }
  }

  @Test
  void unusableRootIsRefusedBeforeServing() throws Exception {
    PierdProcess pierd = new PierdProcess(tmp.resolve("sysroot"))
        .env("PIER_ROOT", "/sys/pier-test")
        .launch();

    assertNotEquals(0, pierd.awaitExit());
    assertTrue(lastLine(pierd.output()).startsWith(
        "pierd: cannot create pier.root directory /sys/pier-test"), pierd.output());
    assertFalse(Files.exists(pierd.socket()), "socket left behind by a refused start");
  }

  @Test
  void secondDaemonOnTheSameRunRootIsRefused() throws Exception {
    try (PierdProcess first = new PierdProcess(tmp.resolve("shared")).start()) {
      PierdProcess second = new PierdProcess(tmp.resolve("intruder"))
          .env("PIER_RUN_ROOT", tmp.resolve("shared/run").toString())
          .env("PIER_ROOT", tmp.resolve("shared/root").toString())
          .launch();

      assertEquals(1, second.awaitExit());
      assertTrue(lastLine(second.output()).startsWith(
          "pierd: another pierd is already using run root " + tmp.resolve("shared/run")),
          second.output());
    }
  }

  @Test
  void secondDaemonOnTheSameRootIsRefusedAndTouchesNothing() throws Exception {
    try (PierdProcess first = new PierdProcess(tmp.resolve("owner")).start()) {
      Path record = runningContainerRecord(tmp.resolve("owner/root"));
      byte[] before = Files.readAllBytes(record);
      PierdProcess second = new PierdProcess(tmp.resolve("sharer"))
          .env("PIER_ROOT", tmp.resolve("owner/root").toString())
          .launch();

      assertEquals(1, second.awaitExit());
      assertEquals("pierd: another pierd is already using root " + tmp.resolve("owner/root")
          + "; stop it, or give this one its own PIER_ROOT and PIER_RUN_ROOT",
          lastLine(second.output()));
      assertFalse(second.output().contains("recovered"), second.output());
      assertArrayEquals(before, Files.readAllBytes(record));
      assertEquals(0, Crictl.run(first.endpoint(), "version").exitCode());
    }
  }

  @Test
  void refusedDaemonsReadNoStateBeforeRefusing() throws Exception {
    Path record = runningContainerRecord(tmp.resolve("kept/root"));
    byte[] before = Files.readAllBytes(record);
    PierdProcess badPort = new PierdProcess(tmp.resolve("kept"))
        .env("PIER_MANAGEMENT_PORT", "99999")
        .launch();

    assertEquals(1, badPort.awaitExit());
    assertTrue(lastLine(badPort.output()).startsWith(
        "pierd: invalid configuration: pier.management-port=\"99999\""), badPort.output());
    assertFalse(badPort.output().contains("recovered"), badPort.output());
    assertFalse(badPort.output().contains("watching"), badPort.output());
    assertArrayEquals(before, Files.readAllBytes(record));

    try (PierdProcess first = new PierdProcess(tmp.resolve("live")).start()) {
      PierdProcess runRootTaken = new PierdProcess(tmp.resolve("kept"))
          .env("PIER_RUN_ROOT", tmp.resolve("live/run").toString())
          .launch();

      assertEquals(1, runRootTaken.awaitExit());
      assertTrue(lastLine(runRootTaken.output()).startsWith(
          "pierd: another pierd is already using run root"), runRootTaken.output());
      assertFalse(runRootTaken.output().contains("recovered"), runRootTaken.output());
      assertArrayEquals(before, Files.readAllBytes(record));
    }
  }

  @Test
  void missingRuntimeWithContainersStartsNotReadyAndKeepsTheirRecords() throws Exception {
    Path record = runningContainerRecord(tmp.resolve("noruntime/root"));
    byte[] before = Files.readAllBytes(record);
    try (PierdProcess pierd = new PierdProcess(tmp.resolve("noruntime"))
        .env("PIER_RUNTIME", "/nonexistent/runc")
        .start()) {
      Crictl.Result info = Crictl.run(pierd.endpoint(), "info");
      assertEquals(0, info.exitCode(), info.stderr());
      JsonNode runtimeReady = json.readTree(info.stdout()).at("/status/conditions/0");
      assertEquals("RuntimeReady", runtimeReady.get("type").asText());
      assertFalse(runtimeReady.get("status").asBoolean(), runtimeReady.toString());
      assertEquals("OCI runtime '/nonexistent/runc' not found or not executable"
          + " (set pier.runtime / PIER_RUNTIME)", runtimeReady.get("message").asText());
      assertFalse(pierd.output().contains("marking it exited"), pierd.output());
      assertArrayEquals(before, Files.readAllBytes(record));
    }
  }

  /** Writes the record of a running container that no runtime knows, as a crash leaves one. */
  private Path runningContainerRecord(Path root) throws Exception {
    String id = "c0ffee".repeat(10) + "abcd";
    Map<String, Object> container = new LinkedHashMap<>();
    container.put("id", id);
    container.put("sandboxId", "f".repeat(64));
    container.put("config", ContainerConfig.newBuilder()
        .setMetadata(ContainerMetadata.newBuilder().setName("kept")).build().toByteArray());
    container.put("imageId", "sha256:" + "0".repeat(64));
    container.put("imageRef", "example/kept:1");
    container.put("logPath", "");
    container.put("bundle", root.resolve("containers/" + id + "/userdata").toString());
    container.put("cgroupsPath", "");
    container.put("stopSignal", "SIGTERM");
    container.put("state", "RUNNING");
    container.put("createdAtNanos", 1L);
    container.put("startedAtNanos", 2L);
    container.put("finishedAtNanos", 0L);
    container.put("exitCode", 0);
    container.put("reason", "");
    container.put("message", "");
    container.put("pid", 0);
    container.put("monitorPid", 0);
    Path record = Files.createDirectories(root.resolve("container-records"))
        .resolve(id + ".json");
    Files.write(record, json.writeValueAsBytes(container));
    return record;
  }

  @Test
  void badValuesOfOtherSettingsAreRefusedNamingTheKey() throws Exception {
    String[][] cases = {
        {"PIER_MANAGEMENT_PORT", "70000", "pier.management-port=\"70000\""},
        {"PIER_STREAM_ADDRESS", "garbage", "pier.stream-address=\"garbage\""},
        {"PIER_REGISTRY_MIRRORS", "nonsense", "pier.registry-mirrors=\"nonsense\""},
        {"PIER_CGROUP_DRIVER", "foo", "expected one of auto,systemd,cgroupfs"},
    };
    for (String[] c : cases) {
      PierdProcess pierd = new PierdProcess(tmp.resolve("bad-" + c[0]))
          .env(c[0], c[1])
          .launch();

      assertNotEquals(0, pierd.awaitExit(), c[0]);
      String line = lastLine(pierd.output());
      assertTrue(line.startsWith("pierd: invalid configuration: "), line);
      assertTrue(line.contains(c[2]), line);
    }
  }

  @Test
  void configFileIsReadAndEnvironmentOverridesIt() throws Exception {
    Path fromFile = tmp.resolve("file/run/pier.sock");
    Path config = Files.writeString(tmp.resolve("pier.yaml"), String.join("\n",
        "pier:",
        "  socket: " + fromFile,
        "  pause-image: 127.0.0.1:5000/pause:3.10",
        "  runtime: /nonexistent/runc",
        ""));
    PierdProcess pierd = new PierdProcess(tmp.resolve("file"))
        .env("PIER_RUNTIME", "runc")
        .arg("--config").arg(config.toString());
    pierd.env("PIER_SOCKET", fromFile.toString());
    try (PierdProcess running = pierd.start()) {
      Crictl.Result info = Crictl.run(running.endpoint(), "info");
      assertEquals(0, info.exitCode(), info.stderr());
      JsonNode effective = json.readTree(info.stdout()).get("config");
      assertEquals("127.0.0.1:5000/pause:3.10", effective.get("pauseImage").asText());
      assertTrue(effective.get("runtime").asText().endsWith("/runc"),
          "PIER_RUNTIME must override the file: " + effective);
      assertFalse(effective.get("runtime").asText().contains("nonexistent"));
    }
  }

  @Test
  void bareMonitorNameIsLookedUpInPath() throws Exception {
    try (PierdProcess pierd = new PierdProcess(tmp.resolve("conmon"))
        .env("PIER_MONITOR", "conmon")
        .start()) {
      Crictl.Result info = Crictl.run(pierd.endpoint(), "info");
      assertEquals(0, info.exitCode(), info.stderr());
      JsonNode answer = json.readTree(info.stdout());
      assertEquals("/usr/bin/conmon", answer.at("/config/monitor").asText(), info.stdout());
      assertTrue(answer.at("/status/conditions/0/status").asBoolean(), info.stdout());
    }
  }

  @Test
  void emptyPathAndStringSettingsAreRefusedNamingTheKey() throws Exception {
    Path config = Files.writeString(tmp.resolve("empty.yaml"), "pier:\n  root:\n");
    assertEquals("pierd: invalid configuration: pier.root is empty in " + config
        + "; give it a value, or remove the line for the default",
        refusal(new PierdProcess(tmp.resolve("empty-file")).unset("PIER_ROOT")
            .arg("--config").arg(config.toString()).launch()));

    for (String variable : List.of("PIER_ROOT", "PIER_SOCKET", "PIER_RUNTIME")) {
      String key = "pier." + variable.substring(5).toLowerCase().replace('_', '-');
      assertEquals("pierd: invalid configuration: " + key + " is empty (" + variable
          + "=); give it a value, or unset " + variable + " for the default",
          refusal(new PierdProcess(tmp.resolve("empty-" + variable)).env(variable, "")
              .launch()));
    }
  }

  @Test
  void looseValuesAndMisspeltVariablesAreRefusedNamingThem() throws Exception {
    Path config = Files.writeString(tmp.resolve("loose.yaml"),
        "pier:\n  restrict-oom-score-adj: maybe\n");
    assertEquals("pierd: invalid configuration: pier.restrict-oom-score-adj=\"maybe\":"
        + " expected true or false", refusal(new PierdProcess(tmp.resolve("maybe"))
            .arg("--config").arg(config.toString()).launch()));

    Path relative = Files.writeString(tmp.resolve("relative.yaml"),
        "pier:\n  socket: relative.sock\n");
    assertEquals("pierd: invalid configuration: pier.socket=\"relative.sock\": must be an"
        + " absolute path", refusal(new PierdProcess(tmp.resolve("relative"))
            .unset("PIER_SOCKET").arg("--config").arg(relative.toString()).launch()));
    assertFalse(Files.exists(Path.of("relative.sock")));

    String[][] cases = {
        {"PIER_ROOT", "var/lib/pier", "pier.root=\"var/lib/pier\": must be an absolute path"},
        {"PIER_MONITOR", "./piermon", "pier.monitor=\"./piermon\": must be an absolute path"},
        {"PIER_CNI_PLUGIN_DIRS", "/opt/cni/bin,cni", "pier.cni-plugin-dirs=\"cni\""},
        {"PIER_MANAGMENT_PORT", "9999", "unknown environment variable PIER_MANAGMENT_PORT;"
            + " did you mean PIER_MANAGEMENT_PORT?"},
    };
    for (String[] c : cases) {
      String line = refusal(new PierdProcess(tmp.resolve("loose-" + c[0])).env(c[0], c[1])
          .launch());
      assertTrue(line.startsWith("pierd: invalid configuration: "), line);
      assertTrue(line.contains(c[2]), line);
    }
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Waits for a daemon expected to refuse to start, and returns its last line. */
  private static String refusal(PierdProcess pierd) throws Exception {
    assertNotEquals(0, pierd.awaitExit(), "pierd should have refused to start");
    return lastLine(pierd.output());
  }

  private static String lastLine(String output) {
    String[] lines = output.strip().split("\n");
    return lines[lines.length - 1];
  }
}
