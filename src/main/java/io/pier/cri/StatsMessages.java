package io.pier.cri;

import io.pier.cgroup.CgroupUsage;
import io.pier.cri.v1.ContainerAttributes;
import io.pier.cri.v1.ContainerStats;
import io.pier.cri.v1.CpuUsage;
import io.pier.cri.v1.FilesystemIdentifier;
import io.pier.cri.v1.FilesystemUsage;
import io.pier.cri.v1.LinuxPodSandboxStats;
import io.pier.cri.v1.MemoryUsage;
import io.pier.cri.v1.PodSandboxAttributes;
import io.pier.cri.v1.PodSandboxStats;
import io.pier.cri.v1.UInt64Value;
import io.pier.state.DiskUsage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns cgroup usage and writable-layer sizes into the CRI's stats messages. It keeps the
 * last CPU sample of each container and pod to report a CPU rate (nano cores), the way
 * containerd does: the counter's growth since the previous sample over the time between them.
 */
final class StatsMessages {

  /** A CPU counter reading and when it was taken. */
  private record CpuSample(long timestampNanos, long usageCoreNanos) {}

  /** The previous CPU sample per container or pod ID. */
  private final Map<String, CpuSample> lastCpu = new ConcurrentHashMap<>();

  /**
   * A container's stats: CPU and memory when its cgroup still exists, and its writable layer
   * measured on the file system mounted at {@code layerMountpoint}.
   */
  ContainerStats container(ContainerAttributes attributes, Optional<CgroupUsage> usage,
      DiskUsage writableLayer, Path layerMountpoint, long layerTimestampNanos) {
    ContainerStats.Builder stats = ContainerStats.newBuilder()
        .setAttributes(attributes)
        .setWritableLayer(FilesystemUsage.newBuilder()
            .setTimestamp(layerTimestampNanos)
            .setFsId(FilesystemIdentifier.newBuilder().setMountpoint(layerMountpoint.toString()))
            .setUsedBytes(uint64(writableLayer.bytes()))
            .setInodesUsed(uint64(writableLayer.inodes())));
    usage.ifPresent(u -> stats.setCpu(cpu(attributes.getId(), u)).setMemory(memory(u)));
    return stats.build();
  }

  /** A pod's stats: its cgroup's CPU and memory, when known, and its containers' stats. */
  PodSandboxStats pod(PodSandboxAttributes attributes, Optional<CgroupUsage> usage,
      List<ContainerStats> containers) {
    LinuxPodSandboxStats.Builder linux = LinuxPodSandboxStats.newBuilder()
        .addAllContainers(containers);
    usage.ifPresent(u -> linux.setCpu(cpu(attributes.getId(), u)).setMemory(memory(u)));
    // Limitation: no network or process counts yet.
    return PodSandboxStats.newBuilder().setAttributes(attributes).setLinux(linux).build();
  }

  /**
   * CPU usage of a container or pod; the rate is left unset on the first sample of an ID and
   * when the clock or the counter went backwards, so that kubelet computes it itself.
   */
  CpuUsage cpu(String id, CgroupUsage usage) {
    CpuUsage.Builder cpu = CpuUsage.newBuilder()
        .setTimestamp(usage.timestampNanos())
        .setUsageCoreNanoSeconds(uint64(usage.cpuUsageCoreNanos()));
    CpuSample now = new CpuSample(usage.timestampNanos(), usage.cpuUsageCoreNanos());
    CpuSample before = lastCpu.put(id, now);
    if (before != null) {
      long elapsed = now.timestampNanos() - before.timestampNanos();
      long used = now.usageCoreNanos() - before.usageCoreNanos();
      if (elapsed > 0 && used >= 0) {
        cpu.setUsageNanoCores(uint64(Math.round(used * 1e9 / elapsed)));
      }
    }
    return cpu.build();
  }

  /** Memory usage as kubelet reads it: the working set decides evictions. */
  static MemoryUsage memory(CgroupUsage usage) {
    // Limitation: available_bytes needs the memory limit, which the usage does not carry.
    return MemoryUsage.newBuilder()
        .setTimestamp(usage.timestampNanos())
        .setWorkingSetBytes(uint64(usage.memoryWorkingSetBytes()))
        .setUsageBytes(uint64(usage.memoryUsageBytes()))
        .setRssBytes(uint64(usage.memoryRssBytes()))
        .setPageFaults(uint64(usage.pageFaults()))
        .setMajorPageFaults(uint64(usage.majorPageFaults()))
        .build();
  }

  /** Drops the CPU sample of a removed container or pod. */
  void forget(String id) {
    lastCpu.remove(id);
  }

  private static UInt64Value uint64(long value) {
    return UInt64Value.newBuilder().setValue(value).build();
  }
}
