package io.pier.cgroup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a cgroup's interface files into a {@link CgroupUsage}, with the formulas kubelet's
 * stats use: working set is usage minus inactive file cache, floored at 0.
 */
final class UsageReader {

  private UsageReader() {}

  /** A v1 cgroup, from its memory and cpuacct directories; empty when it is gone. */
  static Optional<CgroupUsage> v1(Path memoryDir, Optional<Path> cpuacctDir, long nowNanos) {
    Optional<Long> usage = CgroupFiles.number(memoryDir.resolve("memory.usage_in_bytes"));
    if (usage.isEmpty()) {
      return Optional.empty();
    }
    Map<String, Long> stat = CgroupFiles.keyed(memoryDir.resolve("memory.stat")).orElse(Map.of());
    // The total_ keys count the cgroup with its children: what a pod parent needs, and the
    // same as the plain keys for a container cgroup without children.
    long inactiveFile = hierarchical(stat, "inactive_file");
    long cpu = cpuacctDir
        .flatMap(dir -> CgroupFiles.number(dir.resolve("cpuacct.usage")))
        .orElse(0L);
    CgroupUsage result = new CgroupUsage(nowNanos, cpu,
        Math.max(0, usage.get() - inactiveFile), usage.get(),
        hierarchical(stat, "rss"), hierarchical(stat, "pgfault"),
        hierarchical(stat, "pgmajfault"), v1OomKills(memoryDir));
    return Files.isDirectory(memoryDir) ? Optional.of(result) : Optional.empty();
  }

  /** A v2 cgroup, from its directory in the unified tree; empty when it is gone. */
  static Optional<CgroupUsage> v2(Path dir, long nowNanos) {
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    // memory.current is absent when the parent does not delegate the memory controller.
    long usage = CgroupFiles.number(dir.resolve("memory.current")).orElse(0L);
    Map<String, Long> stat = CgroupFiles.keyed(dir.resolve("memory.stat")).orElse(Map.of());
    long cpuMicros = CgroupFiles.keyed(dir.resolve("cpu.stat"))
        .map(values -> values.getOrDefault("usage_usec", 0L))
        .orElse(0L);
    CgroupUsage result = new CgroupUsage(nowNanos, cpuMicros * 1000,
        Math.max(0, usage - stat.getOrDefault("inactive_file", 0L)), usage,
        stat.getOrDefault("anon", 0L), stat.getOrDefault("pgfault", 0L),
        stat.getOrDefault("pgmajfault", 0L), v2OomKills(dir));
    return Files.isDirectory(dir) ? Optional.of(result) : Optional.empty();
  }

  /** OOM kills recorded by a v1 memory cgroup; 0 when it is gone. */
  static long v1OomKills(Path memoryDir) {
    return CgroupFiles.keyed(memoryDir.resolve("memory.oom_control"))
        .map(values -> values.getOrDefault("oom_kill", 0L))
        .orElse(0L);
  }

  /** OOM kills in a v2 cgroup and below it; 0 when it is gone. */
  static long v2OomKills(Path dir) {
    return CgroupFiles.keyed(dir.resolve("memory.events"))
        .map(values -> values.getOrDefault("oom_kill", 0L))
        .orElse(0L);
  }

  private static long hierarchical(Map<String, Long> stat, String key) {
    Long total = stat.get("total_" + key);
    return total != null ? total : stat.getOrDefault(key, 0L);
  }
}
