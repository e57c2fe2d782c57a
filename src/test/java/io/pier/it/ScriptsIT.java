package io.pier.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator scripts under scripts/, run for real against temporary directories. */
class ScriptsIT {

  private static final Path SCRIPTS = Path.of("scripts").toAbsolutePath();

  @TempDir
  Path tmp;

  /** What a script printed (stdout and stderr together) and how it ended. */
  record Result(int exitCode, String output) {}

  @Test
  void installPierSeesAnExistingNetworkOfAnyKind() throws Exception {
    for (String existing : List.of("87-podman-bridge.conflist", "10-flannel.conf",
        "99-loopback.json")) {
      Path dir = Files.createDirectories(tmp.resolve(existing + ".d"));
      Files.writeString(dir.resolve(existing), "{}");
      assertEquals(0, hasCniNetwork(dir).exitCode(), existing);
    }
    Path none = Files.createDirectories(tmp.resolve("none"));
    Files.writeString(none.resolve("README"), "no network here");
    assertEquals(1, hasCniNetwork(none).exitCode());
  }

  @Test
  void pierdServiceStartsStopsAndRecoversFromAKill() throws Exception {
    Map<String, String> env = daemonEnv("svc");
    try {
      startKillRestartStop(env);
    } finally {
      killPierdOf(tmp.resolve("svc/run/pierd.pid"));
    }
  }

  private void startKillRestartStop(Map<String, String> env) throws Exception {
    Result started = script(env, "pierd-service", "start");
    assertEquals(0, started.exitCode(), started.output());
    long pid = Long.parseLong(Files.readString(tmp.resolve("svc/run/pierd.pid")).strip());
    assertTrue(ProcessHandle.of(pid).isPresent());

    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    Result again = script(env, "pierd-service", "start");
    assertEquals(0, again.exitCode(), again.output());
    long second = Long.parseLong(Files.readString(tmp.resolve("svc/run/pierd.pid")).strip());
    assertTrue(second != pid, "a new pierd must have started");

    Result stopped = script(env, "pierd-service", "stop");
    assertEquals(0, stopped.exitCode(), stopped.output());
    ProcessHandle.of(second).ifPresent(p -> p.onExit().join());
    assertFalse(Files.exists(tmp.resolve("svc/run/pierd.pid")));
  }

  @Test
  void pierdServiceReportsAPierdThatFailedToStart() throws Exception {
    Map<String, String> env = daemonEnv("bad");
    env.put("PIER_MANAGEMENT_PORT", "99999");
    Result started = script(env, "pierd-service", "start");

    assertEquals(1, started.exitCode(), started.output());
    assertTrue(started.output().startsWith("pierd-service: pierd exited: invalid configuration:"
        + " pier.management-port=\"99999\""), started.output());
    assertFalse(Files.exists(tmp.resolve("bad/run/pierd.pid")));
  }

  @Test
  void pierdServiceLeavesAPierdItDidNotStartAlone() throws Exception {
    try (PierdProcess other = new PierdProcess(tmp.resolve("other")).start()) {
      Map<String, String> env = daemonEnv("mine");
      env.put("PIER_SOCKET", other.socket().toString());

      Result stopped = script(env, "pierd-service", "stop");
      assertEquals(1, stopped.exitCode(), stopped.output());
      assertEquals("pierd-service: pierd (pid " + other.pid() + "), not started by this script,"
          + " serves " + other.socket() + "; stop it yourself", stopped.output().strip());

      Result started = script(env, "pierd-service", "start");
      assertEquals(1, started.exitCode(), started.output());
      assertTrue(started.output().contains("another pierd (pid " + other.pid() + ")"),
          started.output());
      assertTrue(other.isAlive());
    } finally {
      killPierdOf(tmp.resolve("mine/run/pierd.pid"));
    }
  }

  /** Kills, by its PID file, a pierd a failed test may have left running. */
  private static void killPierdOf(Path pidFile) throws IOException {
    if (Files.exists(pidFile)) {
      ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip()))
          .ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  /** The environment of a daemon whose state lives under {@code tmp/name}. */
  private Map<String, String> daemonEnv(String name) throws IOException {
    Path home = Files.createDirectories(tmp.resolve(name));
    return new java.util.HashMap<>(Map.of(
        "PIERD", PierdProcess.DIST.resolve("bin/pierd").toAbsolutePath().toString(),
        "PIERD_LOG", home.resolve("pierd.log").toString(),
        "PIER_SOCKET", home.resolve("run/pier.sock").toString(),
        "PIER_RUN_ROOT", home.resolve("run").toString(),
        "PIER_ROOT", home.resolve("root").toString(),
        "PIER_MANAGEMENT_PORT", Integer.toString(PierdProcess.freePort()),
        "PIER_MONITOR", PierdProcess.DIST.resolve("bin/piermon").toAbsolutePath().toString(),
        "PIER_CNI_CONFIG_DIR",
        PierdProcess.DIST.resolve("etc/cni/net.d").toAbsolutePath().toString()));
  }

  private Result hasCniNetwork(Path dir) throws Exception {
    return run(Map.of(), "sh", "-c", ". \"$0/lib.sh\"; has_cni_network \"$1\"",
        SCRIPTS.toString(), dir.toString());
  }

  private Result script(Map<String, String> env, String name, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(SCRIPTS.resolve(name).toString()));
    command.addAll(List.of(args));
    return run(env, command.toArray(String[]::new));
  }

  private static Result run(Map<String, String> env, String... command) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " still running after 120s");
    }
    return new Result(process.exitValue(), output);
  }
}
