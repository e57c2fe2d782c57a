package io.pier.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * cgroup v2 reading and parent handling against a fake unified tree in a temporary directory:
 * the machines these tests run on are cgroup v1, so no real v2 tree can be mounted. The files
 * hold what the kernel writes in them.
 */
class CgroupsV2FakeTreeTest {

  @TempDir
  Path tmp;

  private Path root;
  private Cgroups cgroups;

  private void fakeTree() throws Exception {
    root = Files.createDirectories(tmp.resolve("cgroup"));
    Files.writeString(root.resolve("cgroup.controllers"), "cpuset cpu io memory pids\n");
    Files.writeString(root.resolve("cgroup.subtree_control"), "");
    cgroups = new Cgroups(CgroupDriver.Kind.CGROUPFS, CgroupHierarchy.unified(root),
        tmp.resolve("records"));
  }

  private static void container(Path dir, long current, long inactiveFile, long usageUsec,
      long oomKills) throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("memory.current"), current + "\n");
    Files.writeString(dir.resolve("memory.stat"), "anon 31457280\nfile 20971520\n"
        + "inactive_file " + inactiveFile + "\nactive_file 1048576\npgfault 9000\n"
        + "pgmajfault 7\n");
    Files.writeString(dir.resolve("cpu.stat"), "usage_usec " + usageUsec + "\n"
        + "user_usec 1000\nsystem_usec 500\n");
    Files.writeString(dir.resolve("memory.events"),
        "low 0\nhigh 0\nmax 3\noom " + oomKills + "\noom_kill " + oomKills + "\n");
  }

  @Test
  void usageFollowsTheV2Formulas() throws Exception {
    fakeTree();
    String path = cgroups.containerCgroupsPath("/kubepods/pod1", "c1");
    container(root.resolve("kubepods/pod1/pier-c1"), 52428800, 10485760, 1500, 2);

    CgroupUsage usage = cgroups.usage(path).orElseThrow();

    assertEquals(1_500_000, usage.cpuUsageCoreNanos());
    assertEquals(52428800 - 10485760, usage.memoryWorkingSetBytes());
    assertEquals(52428800, usage.memoryUsageBytes());
    assertEquals(31457280, usage.memoryRssBytes());
    assertEquals(9000, usage.pageFaults());
    assertEquals(7, usage.majorPageFaults());
    assertEquals(2, usage.oomEvents());
    assertEquals(2, cgroups.oomKills(path));
    assertTrue(Math.abs(System.currentTimeMillis() - usage.timestampNanos() / 1_000_000) < 5000);
  }

  @Test
  void workingSetIsFlooredAtZeroAndAGoneCgroupHasNoUsage() throws Exception {
    fakeTree();
    container(root.resolve("pier/pier-c1"), 4096, 8192, 0, 0);

    assertEquals(0, cgroups.usage("/pier/pier-c1").orElseThrow().memoryWorkingSetBytes());
    assertEquals(Optional.empty(), cgroups.usage("/pier/pier-gone"));
    assertEquals(0, cgroups.oomKills("/pier/pier-gone"));
  }

  @Test
  void aPodWithoutParentSumsItsContainers() throws Exception {
    fakeTree();
    container(root.resolve("pier/pier-a"), 2000, 500, 10, 0);
    container(root.resolve("pier/pier-b"), 3000, 1000, 20, 1);

    CgroupUsage pod = cgroups.podUsage("",
        List.of("/pier/pier-a", "/pier/pier-b", "/pier/pier-gone")).orElseThrow();

    assertEquals(30_000, pod.cpuUsageCoreNanos());
    assertEquals(3500, pod.memoryWorkingSetBytes());
    assertEquals(5000, pod.memoryUsageBytes());
    assertEquals(1, pod.oomEvents());
    assertEquals(Optional.empty(), cgroups.podUsage("", List.of("/pier/pier-gone")));
  }

  @Test
  void aPodParentIsReadItselfAndPierRemovesOnlyWhatItCreated() throws Exception {
    fakeTree();
    Files.createDirectories(root.resolve("kubepods"));
    Files.writeString(root.resolve("kubepods/cgroup.controllers"), "cpu memory pids\n");

    cgroups.ensurePodParent("/kubepods/pod1");
    assertTrue(Files.isDirectory(root.resolve("kubepods/pod1")));
    assertEquals("+cpu +memory +pids",
        Files.readString(root.resolve("kubepods/cgroup.subtree_control")));
    container(root.resolve("kubepods/pod1"), 7000, 1000, 40, 0);
    assertEquals(6000, cgroups.podUsage("/kubepods/pod1", List.of()).orElseThrow()
        .memoryWorkingSetBytes());

    // A real cgroup directory can be removed with its interface files in it; a plain one
    // cannot, so the fake's files go first.
    for (String file : List.of("memory.current", "memory.stat", "cpu.stat", "memory.events")) {
      Files.delete(root.resolve("kubepods/pod1").resolve(file));
    }
    cgroups.removePodParent("/kubepods/pod1");
    cgroups.removePodParent("/kubepods/pod1");

    assertFalse(Files.exists(root.resolve("kubepods/pod1")));
    assertTrue(Files.isDirectory(root.resolve("kubepods")), "kubelet's own parent stays");
    assertEquals(List.of(), cgroups.leftovers("/kubepods/pod1"));
  }
}
