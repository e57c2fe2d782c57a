package io.pier.monitor.exit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pier.monitor.testing.Host;
import io.pier.monitor.testing.MonitorRun;
import io.pier.monitor.testing.Scenario;
import io.pier.monitor.testing.TestBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** piermon records how a container ended: exit files, OOM markers, the exit command. */
class ContainerExitTest {
  @TempDir
  Path dir;

  @Test
  void exitCodeZero() throws Exception {
    Scenario.Outcome out = Scenario.run(Host.PIERMON, dir, TestBundle.Spec.of("true"), List.of());
    assertEquals("0", out.exitFile());
    assertEquals("0", out.persistExit());
    assertFalse(out.oomInPersist());
  }

  @Test
  void exitCodeOne() throws Exception {
    Scenario.Outcome out = Scenario.run(Host.PIERMON, dir, TestBundle.Spec.of("false"),
        List.of());
    assertEquals("1", out.exitFile());
    assertEquals("1", out.persistExit());
  }

  @Test
  void sigkillGives137() throws Exception {
    assertEquals("137", killedWith(TestBundle.Spec.of("sleep", "1000"), "KILL"));
  }

  @Test
  void sigtermGives143() throws Exception {
    // An init process ignores SIGTERM it has no handler for, so this one is no init.
    assertEquals("143", killedWith(TestBundle.Spec.of("sleep", "1000").withoutPidNamespace(),
        "TERM"));
  }

  private String killedWith(TestBundle.Spec spec, String signal) throws Exception {
    Path bundle = TestBundle.create(dir.resolve("bundle"), spec);
    try (MonitorRun run = MonitorRun.create(Host.PIERMON, dir.resolve("work"),
        MonitorRun.newId(), bundle, List.of())) {
      assertEquals(0, run.parentExitCode(), () -> output(run));
      Scenario.pid(run.nextSync(30_000).orElseThrow());
      run.startContainer();
      Thread.sleep(200);
      assertEquals(0, run.runc("kill", run.cid, signal).exitCode());
      String code = run.awaitExitFile(run.exitFile());
      assertTrue(run.awaitMonitorGone(10_000));
      return code;
    }
  }

  @Test
  void sigtermToTheMonitorReachesTheContainer() throws Exception {
    Path bundle = TestBundle.create(dir.resolve("bundle"),
        TestBundle.Spec.of("sleep", "1000").withoutPidNamespace());
    try (MonitorRun run = MonitorRun.create(Host.PIERMON, dir.resolve("work"),
        MonitorRun.newId(), bundle, List.of())) {
      assertEquals(0, run.parentExitCode(), () -> output(run));
      Scenario.pid(run.nextSync(30_000).orElseThrow());
      run.startContainer();
      Thread.sleep(200);
      assertEquals(0, Host.run("kill", "-TERM", Long.toString(run.monitorPid())).exitCode());
      assertEquals("143", run.awaitExitFile(run.exitFile()));
      assertTrue(run.awaitMonitorGone(10_000));
    }
  }

  @Test
  void oomKillLeavesTheMarker() throws Exception {
    String cgroup = "/pier-test/" + MonitorRun.newId();
    // tail buffers a line that never ends, so it grows until the 16 MiB limit stops it.
    Scenario.Outcome out = Scenario.run(Host.PIERMON, dir, TestBundle.Spec.of("tail",
        "/dev/zero").withMemoryLimit(cgroup, 16 << 20), List.of());
    try {
      assertEquals("137", out.exitFile());
      assertTrue(out.oomInPersist(), "oom marker in the persist directory");
      assertTrue(out.oomInBundle(), "oom marker in the bundle");
    } finally {
      for (String controller : List.of("memory", "cpu,cpuacct", "pids", "cpuset", "blkio",
          "devices", "freezer", "systemd")) {
        Files.deleteIfExists(Path.of("/sys/fs/cgroup", controller, "pier-test"));
      }
    }
  }

  @Test
  void runtimeFailureIsReportedOnTheSyncPipe() throws Exception {
    Path bundle = TestBundle.create(dir.resolve("bundle"), TestBundle.Spec.of("true"));
    Files.writeString(bundle.resolve("config.json"), "{ not json");
    try (MonitorRun run = MonitorRun.create(Host.PIERMON, dir.resolve("work"),
        MonitorRun.newId(), bundle, List.of())) {
      assertEquals(0, run.parentExitCode(), () -> output(run));
      String message = run.nextSync(30_000).orElseThrow();
      assertTrue(message.startsWith("{\"data\": -1, \"message\": \""), message);
      assertTrue(message.contains("runc create failed"), message);
      assertEquals(Optional.empty(), run.nextSync(10_000), "the monitor exits after the report");
      assertTrue(run.awaitMonitorGone(10_000));
      assertFalse(Files.exists(run.exitFile()), "no container, so no exit file");
      assertTrue(leftovers(run.cid).isEmpty(), "processes left: " + leftovers(run.cid));
    }
  }

  @Test
  void exitCommandRunsAfterTheDelay() throws Exception {
    Path marker = dir.resolve("exit-command-ran");
    long[] times = new long[2];
    Path bundle = TestBundle.create(dir.resolve("bundle"), TestBundle.Spec.of("true"));
    try (MonitorRun run = MonitorRun.create(Host.PIERMON, dir.resolve("work"),
        MonitorRun.newId(), bundle, List.of("--exit-command", "/bin/sh",
            "--exit-command-arg", "-c", "--exit-command-arg", "echo \"$0 $1\" > " + marker,
            "--exit-command-arg", "cleanup", "--exit-command-arg", "--root",
            "--exit-delay", "1"))) {
      assertEquals(0, run.parentExitCode(), () -> output(run));
      Scenario.pid(run.nextSync(30_000).orElseThrow());
      run.startContainer();
      run.awaitExitFile(run.exitFile());
      times[0] = System.nanoTime();
      assertTrue(Host.awaitFile(marker, 10_000), "exit command did not run");
      times[1] = System.nanoTime();
      Thread.sleep(50);
      assertEquals("cleanup --root\n", Files.readString(marker));
      assertTrue(times[1] - times[0] >= 800_000_000L, "ran before --exit-delay passed");
      assertTrue(run.awaitMonitorGone(10_000));
    }
  }

  /** Processes whose command line names the container (a runc left behind, say). */
  static List<String> leftovers(String cid) throws Exception {
    Host.Result ps = Host.run("ps", "-eo", "pid,stat,args");
    return ps.output().lines().filter(l -> l.contains(cid) && !l.contains("ps -eo")).toList();
  }

  private static String output(MonitorRun run) {
    return run.parentOutput();
  }
}
