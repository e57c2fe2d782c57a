package io.pier.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pier.system.HostCommand;
import io.pier.testing.BusyboxBundle;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** pierd's calls into real runc: state, kill, update and delete of a busybox container. */
@QuarkusTest
class RuntimeClientTest {

  @Inject
  RuntimeClient runtime;

  @TempDir
  Path tmp;

  private final String id = "pier-test-" + UUID.randomUUID().toString().substring(0, 8);

  @AfterEach
  void removeContainer() {
    runtime.delete(id);
  }

  @Test
  void stateKillAndDeleteOfARunningContainer() throws Exception {
    runDetached(List.of("/bin/busybox", "sleep", "1000"));

    RuntimeState running = runtime.state(id).orElseThrow();
    assertEquals(RuntimeState.Status.RUNNING, running.status());
    assertTrue(Files.exists(Path.of("/proc", Integer.toString(running.pid()))));

    runtime.kill(id, "KILL", false);
    waitForStatus(RuntimeState.Status.STOPPED);
    runtime.kill(id, "KILL", false);

    runtime.delete(id);
    assertTrue(runtime.state(id).isEmpty());
    runtime.delete(id);
  }

  @Test
  void updateAppliesAMemoryLimit() throws Exception {
    runDetached(List.of("/bin/busybox", "sleep", "1000"));

    runtime.update(id, "{\"memory\": {\"limit\": 67108864}}");

    int pid = runtime.state(id).orElseThrow().pid();
    String cgroup = Files.readAllLines(Path.of("/proc/" + pid + "/cgroup")).stream()
        .filter(l -> l.contains(":memory:") || l.startsWith("0::"))
        .findFirst().orElseThrow();
    String path = cgroup.substring(cgroup.lastIndexOf(':') + 1);
    Path v1 = Path.of("/sys/fs/cgroup/memory", path, "memory.limit_in_bytes");
    Path v2 = Path.of("/sys/fs/cgroup", path, "memory.max");
    String limit = Files.readString(Files.exists(v1) ? v1 : v2).strip();
    assertEquals("67108864", limit);
  }

  @Test
  void unknownContainerHasNoStateAndItsStartFailsNamingIt() {
    assertTrue(runtime.state("no-such-" + id).isEmpty());

    OciRuntimeException e = assertThrows(OciRuntimeException.class,
        () -> runtime.start("no-such-" + id));
    assertTrue(e.getMessage().contains("start of container no-such-" + id), e.getMessage());
    assertFalse(e.getMessage().contains("level=error"), e.getMessage());
  }

  private void runDetached(List<String> args) throws Exception {
    Path bundle = BusyboxBundle.create(tmp.resolve("bundle"), args);
    // runc run -d hands its stdio to the container: give it /dev/null, not our pipes.
    HostCommand.Result run = HostCommand.of("sh", "-c", "exec runc --root \"$1\" run -d"
        + " --bundle \"$2\" \"$3\" </dev/null >/dev/null 2>&1", "sh",
        runtime.runtimeRoot().toString(), bundle.toString(), id).run();
    assertEquals(0, run.exitCode(), run.explanation());
  }

  private void waitForStatus(RuntimeState.Status wanted) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      if (runtime.state(id).map(RuntimeState::status).orElse(null) == wanted) {
        return;
      }
      Thread.sleep(50);
    }
    assertEquals(wanted, runtime.state(id).map(RuntimeState::status).orElse(null));
  }
}
