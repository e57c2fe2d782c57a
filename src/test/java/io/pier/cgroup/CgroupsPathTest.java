package io.pier.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Container cgroups paths for both drivers and where they land on the host. The layouts are
 * described, not mounted: nothing here touches the host's cgroups.
 */
class CgroupsPathTest {

  private static final CgroupHierarchy V1 = CgroupHierarchy.v1(Map.of(
      "cpu", Path.of("/sys/fs/cgroup/cpu,cpuacct"),
      "cpuacct", Path.of("/sys/fs/cgroup/cpu,cpuacct"),
      "memory", Path.of("/sys/fs/cgroup/memory"),
      "name=systemd", Path.of("/sys/fs/cgroup/systemd")),
      Optional.of(Path.of("/sys/fs/cgroup/unified")));
  private static final CgroupHierarchy V2 = CgroupHierarchy.unified(Path.of("/sys/fs/cgroup"));

  private static Cgroups cgroups(CgroupDriver.Kind kind, CgroupHierarchy hierarchy) {
    return new Cgroups(kind, hierarchy, Path.of("/nonexistent/records"));
  }

  @Test
  void cgroupfsPlacesContainersUnderTheParentOrUnderPier() {
    Cgroups cgroupfs = cgroups(CgroupDriver.Kind.CGROUPFS, V1);
    assertEquals("/kubepods/besteffort/pod1/pier-abc",
        cgroupfs.containerCgroupsPath("/kubepods/besteffort/pod1", "abc"));
    assertEquals("/kubepods/pod1/pier-abc",
        cgroupfs.containerCgroupsPath("kubepods//pod1/", "abc"));
    assertEquals("/pier/pier-abc", cgroupfs.containerCgroupsPath("", "abc"));
    assertEquals("/kubepods.slice/kubepods-pod1.slice/pier-abc",
        cgroupfs.containerCgroupsPath("kubepods-pod1.slice", "abc"));
  }

  @Test
  void systemdPlacesContainersInAScopeOfThePodSlice() {
    Cgroups systemd = cgroups(CgroupDriver.Kind.SYSTEMD, V2);
    assertEquals("kubepods-besteffort-pod1.slice:pier:abc",
        systemd.containerCgroupsPath("kubepods-besteffort-pod1.slice", "abc"));
    assertEquals("kubepods-besteffort-pod1.slice:pier:abc", systemd.containerCgroupsPath(
        "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice", "abc"));
    assertEquals("kubepods-burstable-pod1_2.slice:pier:abc",
        systemd.containerCgroupsPath("/kubepods/burstable/pod1-2", "abc"));
    assertEquals("system.slice:pier:abc", systemd.containerCgroupsPath("", "abc"));
  }

  @Test
  void hostPathsFollowTheDriverAndTheHierarchy() {
    Cgroups systemd = cgroups(CgroupDriver.Kind.SYSTEMD, V2);
    assertEquals(Optional.of(Path.of("/sys/fs/cgroup/kubepods.slice/kubepods-pod1.slice/"
        + "pier-abc.scope")), systemd.hostPath("kubepods-pod1.slice:pier:abc", "memory"));
    assertEquals(Optional.of(Path.of("/sys/fs/cgroup/system.slice/pier-abc.scope")),
        systemd.hostPath(systemd.containerCgroupsPath("", "abc"), "cpu"));

    Cgroups cgroupfs = cgroups(CgroupDriver.Kind.CGROUPFS, V1);
    assertEquals(Optional.of(Path.of("/sys/fs/cgroup/cpu,cpuacct/pier/pier-abc")),
        cgroupfs.hostPath("/pier/pier-abc", "cpuacct"));
    assertEquals(Optional.of(Path.of("/sys/fs/cgroup/memory/kubepods.slice/pier-abc.scope")),
        cgroupfs.hostPath("kubepods.slice:pier:abc", "memory"));
    assertEquals(Optional.empty(), cgroupfs.hostPath("/pier/pier-abc", "hugetlb"));
  }

  @Test
  void badIdsAndPathsAreRefused() {
    Cgroups cgroupfs = cgroups(CgroupDriver.Kind.CGROUPFS, V1);
    assertThrows(IllegalArgumentException.class, () -> cgroupfs.containerCgroupsPath("", "a/b"));
    assertThrows(IllegalArgumentException.class, () -> cgroupfs.containerCgroupsPath("", ""));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> cgroupfs.containerCgroupsPath("/kubepods/../etc", "abc"));
    assertTrue(e.getMessage().contains("/kubepods/../etc"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> cgroupfs.hostPath("a:b", "memory"));
  }

  @Test
  void mountinfoOfAHybridHostGivesEachControllerItsMount() {
    CgroupHierarchy parsed = CgroupHierarchy.parse(List.of(
        "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
        "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct",
        "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory",
        "40 31 0:37 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd",
        "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw"),
        Set.of("cpu", "cpuacct", "memory"));
    assertEquals(false, parsed.isUnified());
    assertEquals(Optional.of(Path.of("/sys/fs/cgroup/cpu,cpuacct")), parsed.root("cpuacct"));
    assertEquals(4, parsed.roots().size());
    assertTrue(parsed.roots().contains(Path.of("/sys/fs/cgroup/unified")));

    CgroupHierarchy unified = CgroupHierarchy.parse(List.of(
        "30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate"), Set.of());
    assertTrue(unified.isUnified());
    assertEquals(Optional.of(Path.of("/sys/fs/cgroup")), unified.root("memory"));
  }
}
