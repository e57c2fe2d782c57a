package io.pier.monitor.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

/** The terminal and the control fifo: resize and log reopen, as kubelet and podman use them. */
class ControlTest {
  @TempDir
  Path dir;

  @Test
  void terminalOutputAndResizeThroughTheControlFifo() throws Exception {
    Path bundle = TestBundle.create(dir.resolve("bundle"), TestBundle.Spec.of("sh", "-c",
        "tty; sleep 0.5; stty size").withTerminal());
    try (MonitorRun run = MonitorRun.create(Host.PIERMON, dir.resolve("work"),
        MonitorRun.newId(), bundle, List.of("-t"))) {
      assertEquals(0, run.parentExitCode(), run::parentOutput);
      Scenario.pid(run.nextSync(30_000).orElseThrow());
      Files.writeString(bundle.resolve("ctl"), "1 33 101\n");
      run.startContainer();
      assertEquals("0", run.awaitExitFile(run.exitFile()));
      assertTrue(run.awaitMonitorGone(10_000));
      String out = CriLog.text(CriLog.parse(run.log()), "stdout");
      assertTrue(out.matches("/dev/pts/\\d+\r\n33 101\r\n"), out);
    }
  }

  @Test
  void reopenRequestStartsANewLogFile() throws Exception {
    Path bundle = TestBundle.create(dir.resolve("bundle"), TestBundle.Spec.of("sh", "-c",
        "echo before; sleep 1; echo after"));
    try (MonitorRun run = MonitorRun.create(Host.PIERMON, dir.resolve("work"),
        MonitorRun.newId(), bundle, List.of())) {
      assertEquals(0, run.parentExitCode(), run::parentOutput);
      Scenario.pid(run.nextSync(30_000).orElseThrow());
      run.startContainer();
      Thread.sleep(400);
      Path rotated = run.work.resolve("ctr.log.1");
      Files.move(run.log(), rotated);
      Files.writeString(bundle.resolve("ctl"), "2 0 0\n");
      assertEquals("0", run.awaitExitFile(run.exitFile()));
      assertEquals("before\n", CriLog.text(CriLog.parse(rotated), "stdout"));
      assertEquals("after\n", CriLog.text(CriLog.parse(run.log()), "stdout"));
    }
  }
}
