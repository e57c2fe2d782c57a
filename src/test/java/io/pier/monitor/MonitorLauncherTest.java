package io.pier.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pier.exit.ExitWatcher;
import io.pier.oci.RuntimeClient;
import io.pier.oci.RuntimeState;
import io.pier.testing.BusyboxBundle;
import io.pier.testing.ExitEvents;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container created by a real monitor (the test profile's, conmon) over runc, started,
 * logged and reaped, its exit seen through the exit directory.
 */
@QuarkusTest
class MonitorLauncherTest {

  @Inject
  MonitorLauncher launcher;

  @Inject
  RuntimeClient runtime;

  @Inject
  ExitWatcher exitWatcher;

  @Inject
  ExitEvents exits;

  @TempDir
  Path tmp;

  private final String id = UUID.randomUUID().toString().replace("-", "");

  @BeforeEach
  void watchExits() {
    exitWatcher.start();
  }

  @AfterEach
  void removeContainer() {
    runtime.delete(id);
    exitWatcher.forget(id);
  }

  @Test
  void containerRunsLogsAndItsExitCodeArrivesThroughTheExitDirectory() throws Exception {
    MonitorRequest request = request(List.of("/bin/busybox", "sh", "-c",
        "echo hello; echo oops >&2; exit 3"));

    MonitorStart started = launcher.create(request);

    assertTrue(started.containerPid() > 0);
    assertEquals(RuntimeState.Status.CREATED, runtime.state(id).orElseThrow().status());
    runtime.start(id);
    assertEquals(3, exits.await(id, 20).exitCode());
    List<String> log = Files.readAllLines(request.logPath());
    assertTrue(log.stream().anyMatch(l -> l.matches("\\S+ stdout F hello")), log.toString());
    assertTrue(log.stream().anyMatch(l -> l.matches("\\S+ stderr F oops")), log.toString());
  }

  @Test
  void runtimeFailureIsReportedWithTheRuntimesMessage() throws Exception {
    MonitorRequest request = request(List.of("/bin/busybox", "true"));
    ObjectMapper json = new ObjectMapper();
    Path config = request.bundle().resolve("config.json");
    ObjectNode spec = (ObjectNode) json.readTree(config.toFile());
    ((ObjectNode) spec.get("root")).put("path", "no-such-rootfs");
    json.writeValue(config.toFile(), spec);

    MonitorException e = assertThrows(MonitorException.class, () -> launcher.create(request));

    assertTrue(e.getMessage().startsWith("creating container " + id + ": "), e.getMessage());
    assertTrue(e.getMessage().contains("no-such-rootfs"), e.getMessage());
  }

  @Test
  void aTimedOutExecIsGoneWhenExecReturns() throws Exception {
    MonitorRequest request = request(List.of("/bin/busybox", "sleep", "1000"));
    launcher.create(request);
    runtime.start(id);
    ObjectMapper json = new ObjectMapper();
    ObjectNode process = (ObjectNode) json.readTree(request.bundle().resolve("config.json")
        .toFile()).get("process");
    process.set("args", json.valueToTree(List.of("/bin/busybox", "sleep", "4321")));
    Path spec = tmp.resolve("exec.json");
    json.writeValue(spec.toFile(), process);
    Path dir = Files.createDirectories(tmp.resolve("exec-1"));

    ExecResult result = launcher.exec(id, spec, dir, 1);

    assertTrue(result.timedOut());
    // runc wrote the exec process's pid; not even a zombie of it may be left.
    String pid = Files.readString(dir.resolve("exec.pid")).strip();
    assertFalse(Files.exists(Path.of("/proc", pid)), "exec process " + pid + " still there");
    runtime.kill(id, "KILL", false);
    exits.await(id, 20);
  }

  private MonitorRequest request(List<String> args) throws Exception {
    Path bundle = BusyboxBundle.create(tmp.resolve("bundle"), args);
    Path persist = Files.createDirectories(tmp.resolve("persist"));
    return new MonitorRequest(id, "test-" + id.substring(0, 6), bundle,
        tmp.resolve("container.log"), persist, false, false, false, 0);
  }
}
