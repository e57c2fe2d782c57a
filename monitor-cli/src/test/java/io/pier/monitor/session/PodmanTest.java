package io.pier.monitor.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pier.monitor.testing.Host;
import io.pier.monitor.testing.TestBundle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
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
    Host.run(podman("rm", "--all", "--force"));
    Host.run(podman("system", "reset", "--force"));
  }

  @Test
  void runRemovePrintsOutputAndExitCode() throws Exception {
    Path bundle = TestBundle.create(dir.resolve("bundle"), TestBundle.Spec.of("true"));
    Host.Result tar = Host.run("tar", "-C", bundle.resolve("rootfs").toString(), "-cf",
        dir.resolve("rootfs.tar").toString(), ".");
    assertEquals(0, tar.exitCode(), tar.output());
    Host.Result imported = Host.run(podman("import", dir.resolve("rootfs.tar").toString(),
        "localhost/pier-busybox:test"));
    assertEquals(0, imported.exitCode(), imported.output());

    Host.Result run = Host.run(podman("run", "--rm", "--net", "none",
        "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024",
        "--log-driver", "k8s-file", "localhost/pier-busybox:test",
        "sh", "-c", "echo hello from piermon; exit 7"));

    assertEquals(7, run.exitCode(), run.output());
    assertTrue(run.output().contains("hello from piermon"), run.output());
    Host.Result ps = Host.run(podman("ps", "--all", "--quiet"));
    assertEquals("", ps.output().strip(), "--rm left a container behind");
  }
}
