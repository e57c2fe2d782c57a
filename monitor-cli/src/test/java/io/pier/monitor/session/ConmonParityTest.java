package io.pier.monitor.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pier.monitor.testing.CriLog;
import io.pier.monitor.testing.Host;
import io.pier.monitor.testing.MonitorRun;
import io.pier.monitor.testing.Scenario;
import io.pier.monitor.testing.TestBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same containers under the distro's conmon and under piermon: the caller must not be
 * able to tell them apart by log content (timestamps aside), exit files or sync messages.
 */
class ConmonParityTest {
  @TempDir
  Path dir;

  private record Record(String stream, boolean partial, String content) {}

  private static List<Record> records(Scenario.Outcome out) {
    return out.log().stream().map(e -> new Record(e.stream(), e.partial(), e.text())).toList();
  }

  private static String normalizePid(String sync) {
    return sync.replaceAll("\\{\"data\": \\d+\\}", "{\"data\": PID}");
  }

  private void assertSameOutcome(TestBundle.Spec spec, boolean sameRecords) throws Exception {
    Scenario.Outcome conmon = Scenario.run(Host.CONMON, dir.resolve("conmon"), spec, List.of());
    Scenario.Outcome piermon = Scenario.run(Host.PIERMON, dir.resolve("piermon"), spec,
        List.of());

    assertEquals(normalizePid(conmon.syncMessage()), normalizePid(piermon.syncMessage()));
    assertEquals(conmon.exitFile(), piermon.exitFile());
    assertEquals(conmon.persistExit(), piermon.persistExit());
    assertEquals(conmon.oomInPersist(), piermon.oomInPersist());
    assertEquals(conmon.oomInBundle(), piermon.oomInBundle());
    for (String stream : List.of("stdout", "stderr")) {
      assertArrayEquals(CriLog.stream(conmon.log(), stream), CriLog.stream(piermon.log(), stream),
          stream + " differs");
    }
    if (sameRecords) {
      assertEquals(records(conmon), records(piermon));
    }
  }

  @Test
  void sameLogForLinesPartialsAndBothStreams() throws Exception {
    assertSameOutcome(TestBundle.Spec.of("sh", "-c",
        "echo a; sleep 0.1; echo b >&2; sleep 0.1; printf 'c\\nd'; sleep 0.1;"
            + " printf '\\001\\377\\r\\n' >&2; exit 1"), true);
  }

  @Test
  void sameLogForALongLine() throws Exception {
    assertSameOutcome(TestBundle.Spec.of("sh", "-c",
        "head -c 65536 /dev/zero | tr '\\0' y; echo; echo after"), false);
  }

  @Test
  void sameExitFilesAfterSigkill() throws Exception {
    List<String> codes = new ArrayList<>();
    for (Path monitor : List.of(Host.CONMON, Host.PIERMON)) {
      Path sub = dir.resolve(monitor.getFileName().toString());
      Path bundle = TestBundle.create(sub.resolve("bundle"), TestBundle.Spec.of("sleep", "1000"));
      try (MonitorRun run = MonitorRun.create(monitor, sub.resolve("work"), MonitorRun.newId(),
          bundle, List.of())) {
        assertEquals(0, run.parentExitCode(), run::parentOutput);
        Scenario.pid(run.nextSync(30_000).orElseThrow());
        run.startContainer();
        Thread.sleep(200);
        run.runc("kill", run.cid, "KILL");
        codes.add(run.awaitExitFile(run.exitFile()) + "/"
            + Files.readString(run.work.resolve("persist/exit")));
        assertTrue(run.awaitMonitorGone(10_000));
      }
    }
    assertEquals("137/137", codes.get(0));
    assertEquals(codes.get(0), codes.get(1));
  }

  @Test
  void sameSyncMessageWhenTheRuntimeFails() throws Exception {
    List<String> messages = new ArrayList<>();
    for (Path monitor : List.of(Host.CONMON, Host.PIERMON)) {
      Path sub = dir.resolve(monitor.getFileName().toString());
      Path bundle = TestBundle.create(sub.resolve("bundle"), TestBundle.Spec.of("true"));
      Files.writeString(bundle.resolve("config.json"), "{\"ociVersion\": 7}");
      try (MonitorRun run = MonitorRun.create(monitor, sub.resolve("work"), MonitorRun.newId(),
          bundle, List.of())) {
        run.parentExitCode();
        String message = run.nextSync(30_000).orElseThrow();
        // runc stamps its error with the time; the rest must match.
        messages.add(message.replaceAll("time=\\\\\"[^\\\\]*\\\\\"", "time=T"));
        assertTrue(run.awaitMonitorGone(10_000));
        assertTrue(run.nextSync(5000).isEmpty());
      }
    }
    assertTrue(messages.get(0).startsWith("{\"data\": -1, \"message\": "), messages.get(0));
    assertEquals(messages.get(0), messages.get(1));
  }

  @Test
  void sameSyncMessagesForAnExecThatTimesOut() throws Exception {
    List<List<String>> all = new ArrayList<>();
    for (Path monitor : List.of(Host.CONMON, Host.PIERMON)) {
      Path sub = dir.resolve(monitor.getFileName().toString());
      Path bundle = TestBundle.create(sub.resolve("bundle"), TestBundle.Spec.of("sleep", "1000"));
      try (MonitorRun run = MonitorRun.create(Host.PIERMON, sub.resolve("work"),
          MonitorRun.newId(), bundle, List.of())) {
        assertEquals(0, run.parentExitCode(), run::parentOutput);
        Scenario.pid(run.nextSync(30_000).orElseThrow());
        run.startContainer();
        Path spec = TestBundle.execSpec(sub.resolve("exec.json"), "sh", "-c",
            "echo started; sleep 100");
        try (MonitorRun exec = MonitorRun.exec(monitor, sub.resolve("exec"), run.cid, spec,
            List.of("--timeout", "1"))) {
          exec.parentExitCode();
          List<String> messages = new ArrayList<>();
          messages.add(normalizePid(exec.nextSync(30_000).orElseThrow()));
          messages.add(exec.nextSync(30_000).orElseThrow());
          messages.add(Files.readString(exec.work.resolve("exec-exits").resolve(run.cid)));
          all.add(messages);
        }
      }
    }
    assertEquals(List.of("{\"data\": PID}", "{\"data\": -1, \"message\": \"command timed out\"}",
        "-1"), all.get(0));
    assertEquals(all.get(0), all.get(1));
  }
}
