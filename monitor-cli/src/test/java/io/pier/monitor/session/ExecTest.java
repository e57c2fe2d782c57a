package io.pier.monitor.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pier.monitor.testing.CriLog;
import io.pier.monitor.testing.Host;
import io.pier.monitor.testing.MonitorRun;
import io.pier.monitor.testing.Scenario;
import io.pier.monitor.testing.TestBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exec mode: a process started in a running container, its output and its end. */
class ExecTest {
  @TempDir
  Path dir;

  @Test
  void execReportsPidThenExitStatusAndKeepsOutput() throws Exception {
    try (MonitorRun container = runningContainer()) {
      Path spec = TestBundle.execSpec(dir.resolve("exec.json"), "sh", "-c",
          "echo from exec; echo oops >&2; exit 3");
      try (MonitorRun exec = MonitorRun.exec(Host.PIERMON, dir.resolve("exec"), container.cid,
          spec, List.of())) {
        assertEquals(0, exec.parentExitCode(), exec::parentOutput);
        Scenario.pid(exec.nextSync(30_000).orElseThrow());
        assertEquals("{\"data\": 3}", exec.nextSync(30_000).orElseThrow());
        List<CriLog.Entry> log = CriLog.parse(exec.work.resolve("exec.log"));
        assertEquals("from exec\n", CriLog.text(log, "stdout"));
        assertEquals("oops\n", CriLog.text(log, "stderr"));
        assertEquals("3", Files.readString(exec.work.resolve("exec-exits")
            .resolve(container.cid)));
      }
    }
  }

  @Test
  void execIsKilledOnTimeout() throws Exception {
    try (MonitorRun container = runningContainer()) {
      Path spec = TestBundle.execSpec(dir.resolve("exec.json"), "sleep", "100");
      long start = System.nanoTime();
      try (MonitorRun exec = MonitorRun.exec(Host.PIERMON, dir.resolve("exec"), container.cid,
          spec, List.of("-T", "2"))) {
        assertEquals(0, exec.parentExitCode(), exec::parentOutput);
        int pid = Scenario.pid(exec.nextSync(30_000).orElseThrow());
        assertTrue(Host.alive(pid));
        assertEquals("{\"data\": -1, \"message\": \"command timed out\"}",
            exec.nextSync(30_000).orElseThrow());
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        assertTrue(seconds >= 2 && seconds < 20, "took " + seconds + " s");
        assertTrue(Host.awaitGone(pid, 5000), "the exec process was not killed");
        assertTrue(Host.alive(containerPid(container)), "the container itself keeps running");
      }
    }
  }

  private MonitorRun runningContainer() throws Exception {
    Path bundle = TestBundle.create(dir.resolve("bundle"), TestBundle.Spec.of("sleep", "1000"));
    MonitorRun run = MonitorRun.create(Host.PIERMON, dir.resolve("work"), MonitorRun.newId(),
        bundle, List.of());
    try {
      assertEquals(0, run.parentExitCode(), run::parentOutput);
      Scenario.pid(run.nextSync(30_000).orElseThrow());
      run.startContainer();
      assertFalse(Files.exists(run.exitFile()));
      return run;
    } catch (Exception | AssertionError e) {
      run.close();
      throw e;
    }
  }

  private static long containerPid(MonitorRun run) throws Exception {
    return Long.parseLong(Files.readString(run.work.resolve("ctr.pid")).trim());
  }
}
