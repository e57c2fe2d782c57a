package io.pier.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The v1 formulas with exact numbers, read from a fake tree in a temporary directory (the
 * kernel's own counters never hold still; CgroupsRuncTest reads them from real cgroups).
 */
class CgroupsV1FormulaTest {

  @TempDir
  Path tmp;

  @Test
  void workingSetSubtractsTheHierarchicalInactiveFileCache() throws Exception {
    Path memory = Files.createDirectories(tmp.resolve("memory/kubepods/pod1/pier-c1"));
    Path cpuacct = Files.createDirectories(tmp.resolve("cpu,cpuacct/kubepods/pod1/pier-c1"));
    Files.writeString(memory.resolve("memory.usage_in_bytes"), "52428800\n");
    Files.writeString(memory.resolve("memory.stat"), "cache 20971520\nrss 1\n"
        + "inactive_file 1\npgfault 2\npgmajfault 3\ntotal_cache 20971520\n"
        + "total_rss 31457280\ntotal_inactive_file 10485760\ntotal_pgfault 9000\n"
        + "total_pgmajfault 7\n");
    Files.writeString(memory.resolve("memory.oom_control"),
        "oom_kill_disable 0\nunder_oom 0\noom_kill 4\n");
    Files.writeString(cpuacct.resolve("cpuacct.usage"), "123456789\n");
    Cgroups cgroups = new Cgroups(CgroupDriver.Kind.CGROUPFS, CgroupHierarchy.v1(Map.of(
        "memory", tmp.resolve("memory"), "cpuacct", tmp.resolve("cpu,cpuacct"),
        "cpu", tmp.resolve("cpu,cpuacct")), Optional.empty()), tmp.resolve("records"));
    String path = cgroups.containerCgroupsPath("/kubepods/pod1", "c1");

    CgroupUsage usage = cgroups.usage(path).orElseThrow();

    assertEquals(123456789, usage.cpuUsageCoreNanos());
    assertEquals(52428800 - 10485760, usage.memoryWorkingSetBytes());
    assertEquals(52428800, usage.memoryUsageBytes());
    assertEquals(31457280, usage.memoryRssBytes());
    assertEquals(9000, usage.pageFaults());
    assertEquals(7, usage.majorPageFaults());
    assertEquals(4, usage.oomEvents());
    assertEquals(4, cgroups.oomKills(path));
    assertEquals(Optional.empty(), cgroups.usage("/kubepods/pod1/pier-gone"));
  }
}
