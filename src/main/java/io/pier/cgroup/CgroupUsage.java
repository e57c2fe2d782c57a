package io.pier.cgroup;

/**
 * CPU and memory use of one cgroup at one moment, in the units the CRI reports.
 *
 * @param timestampNanos when it was read, nanoseconds since the Unix epoch
 * @param cpuUsageCoreNanos CPU time consumed since the cgroup was made, all cores summed
 * @param memoryWorkingSetBytes memory in use minus inactive file cache, never below 0
 * @param memoryUsageBytes memory charged to the cgroup, page cache included
 * @param memoryRssBytes anonymous memory (v1 {@code total_rss}, v2 {@code anon})
 * @param pageFaults page faults since the cgroup was made
 * @param majorPageFaults page faults that read from disk
 * @param oomEvents processes the kernel's OOM killer killed in the cgroup
 */
public record CgroupUsage(long timestampNanos, long cpuUsageCoreNanos, long memoryWorkingSetBytes,
    long memoryUsageBytes, long memoryRssBytes, long pageFaults, long majorPageFaults,
    long oomEvents) {

  /** The use of two cgroups together, stamped {@code timestampNanos}. */
  CgroupUsage plus(CgroupUsage other, long timestampNanos) {
    return new CgroupUsage(timestampNanos,
        cpuUsageCoreNanos + other.cpuUsageCoreNanos,
        memoryWorkingSetBytes + other.memoryWorkingSetBytes,
        memoryUsageBytes + other.memoryUsageBytes,
        memoryRssBytes + other.memoryRssBytes,
        pageFaults + other.pageFaults,
        majorPageFaults + other.majorPageFaults,
        oomEvents + other.oomEvents);
  }
}
