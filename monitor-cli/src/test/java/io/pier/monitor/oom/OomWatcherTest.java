package io.pier.monitor.oom;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Finding the memory cgroup in /proc/PID/cgroup, for both hierarchies. */
class OomWatcherTest {
  @Test
  void cgroupV1MemoryController() {
    List<String> lines = List.of("12:pids:/pier/abc", "9:memory:/pier/abc",
        "4:cpu,cpuacct:/pier/abc", "0::/pier/abc");
    assertEquals(Optional.of(Path.of("/sys/fs/cgroup/memory/pier/abc")),
        OomWatcher.memoryCgroup(lines, false));
  }

  @Test
  void cgroupV1ControllerSharingAHierarchy() {
    List<String> lines = List.of("3:cpuset:/x", "5:memory,hugetlb:/kube/pod1/ctr");
    assertEquals(Optional.of(Path.of("/sys/fs/cgroup/memory/kube/pod1/ctr")),
        OomWatcher.memoryCgroup(lines, false));
  }

  @Test
  void cgroupV2UnifiedEntry() {
    List<String> lines = List.of("0::/system.slice/pier-abc.scope");
    assertEquals(Optional.of(Path.of("/sys/fs/cgroup/system.slice/pier-abc.scope")),
        OomWatcher.memoryCgroup(lines, true));
  }

  @Test
  void noMemoryControllerFound() {
    assertEquals(Optional.empty(), OomWatcher.memoryCgroup(List.of("3:cpuset:/x"), false));
  }
}
