package io.pier.monitor.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pier.monitor.testing.Host;
import io.pier.monitor.testing.TestBundle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * podman drives piermon as its conmon: create, attach (the attach socket carries the output),
 * start, exit code, cleanup. Storage lives in a scratch directory; the image is a busybox
 * root file system imported from a tarball.
 */
class PodmanTest {
  @TempDir
  Path dir;

  private List<String> podman(String... args) {
    List<String> cmd = new ArrayList<>(List.of("podman", "--root", dir.resolve("root").toString(),
        "--runroot", dir.resolve("runroot").toString(), "--storage-driver", "vfs",
        "--cgroup-manager", "cgroupfs", "--events-backend", "file",
        "--runtime", Host.RUNC.toString(), "--conmon", Host.PIERMON.toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  @AfterEach
  void removeStorage() throws Exception {
    Host.run(podman("rm", "--all", "--force", "--time", "0"));
    Host.run(podman("system", "reset", "--force"));
  }

  @BeforeEach
  void importImage() throws Exception {
    Path bundle = TestBundle.create(dir.resolve("bundle"), TestBundle.Spec.of("true"));
    Host.Result tar = Host.run("tar", "-C", bundle.resolve("rootfs").toString(), "-cf",
        dir.resolve("rootfs.tar").toString(), ".");
    assertEquals(0, tar.exitCode(), tar.output());
    Host.Result imported = Host.run(podman("import", dir.resolve("rootfs.tar").toString(),
        "localhost/pier-busybox:test"));
    assertEquals(0, imported.exitCode(), imported.output());
  }

  private static final List<String> LIMITS = List.of("--net", "none",
      "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", "--log-driver", "k8s-file");

  private List<String> podmanRun(String... args) {
    List<String> cmd = podman("run");
    cmd.addAll(LIMITS);
    cmd.addAll(List.of(args));
    return cmd;
  }

  @Test
  void runRemovePrintsOutputAndExitCode() throws Exception {
    Host.Result run = Host.run(podmanRun("--rm", "localhost/pier-busybox:test",
        "sh", "-c", "echo hello from piermon; exit 7"));

    assertEquals(7, run.exitCode(), run.output());
    assertTrue(run.output().contains("hello from piermon"), run.output());
    Host.Result ps = Host.run(podman("ps", "--all", "--quiet"));
    assertEquals("", ps.output().strip(), "--rm left a container behind");
  }

  @Test
  void stdinReachesTheContainerThroughTheAttachSocket() throws Exception {
    List<String> cmd = new ArrayList<>(List.of("sh", "-c", "echo through stdin | \"$@\"", "sh"));
    cmd.addAll(podmanRun("-i", "--rm", "localhost/pier-busybox:test", "cat"));
    Host.Result run = Host.run(cmd);
    assertEquals(0, run.exitCode(), run.output());
    assertEquals("through stdin", run.output().strip());
  }

  @Test
  void execInADetachedContainerAndItsLog() throws Exception {
    Host.Result started = Host.run(podmanRun("-d", "localhost/pier-busybox:test", "sh", "-c",
        "echo detached output; exec sleep 100"));
    assertEquals(0, started.exitCode(), started.output());
    String id = started.output().strip();

    Host.Result exec = Host.run(podman("exec", id, "sh", "-c", "echo exec output; exit 5"));
    assertEquals(5, exec.exitCode(), exec.output());
    assertTrue(exec.output().contains("exec output"), exec.output());
    Host.Result logs = Host.run(podman("logs", id));
    assertEquals("detached output", logs.output().strip());
    Host.Result removed = Host.run(podman("rm", "--force", "--time", "0", id));
    assertEquals(0, removed.exitCode(), removed.output());
  }
}
