package io.pier.cri;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pier.cgroup.CgroupUsage;
import io.pier.cri.v1.ContainerAttributes;
import io.pier.cri.v1.ContainerStats;
import io.pier.cri.v1.CpuUsage;
import io.pier.cri.v1.PodSandboxAttributes;
import io.pier.cri.v1.PodSandboxStats;
import io.pier.state.DiskUsage;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** CRI stats messages from cgroup usage: the CPU rate between samples, memory, the layer. */
class StatsMessagesTest {

  private static final long SECOND = 1_000_000_000L;
  private static final long T0 = 1_700_000_000L * SECOND;

  private static CgroupUsage usage(long timestamp, long cpu) {
    return new CgroupUsage(timestamp, cpu, 30_000_000, 40_000_000, 25_000_000, 900, 3, 0);
  }

  @Test
  void theRateComesFromTwoSamplesOfTheSameId() {
    StatsMessages stats = new StatsMessages();

    CpuUsage first = stats.cpu("c1", usage(T0, 50));
    assertEquals(50, first.getUsageCoreNanoSeconds().getValue());
    assertEquals(T0, first.getTimestamp());
    assertFalse(first.hasUsageNanoCores(), "one sample has no rate");

    CpuUsage second = stats.cpu("c1", usage(T0 + SECOND, 500));
    assertEquals(450, second.getUsageNanoCores().getValue());

    // Half a core over two seconds.
    CpuUsage third = stats.cpu("c1", usage(T0 + 3 * SECOND, 500 + SECOND));
    assertEquals(SECOND / 2, third.getUsageNanoCores().getValue());

    assertFalse(stats.cpu("c2", usage(T0 + 3 * SECOND, 7)).hasUsageNanoCores());
    assertFalse(stats.cpu("c1", usage(T0 + 3 * SECOND, 600 + SECOND)).hasUsageNanoCores(),
        "no time passed");
    stats.forget("c1");
    assertFalse(stats.cpu("c1", usage(T0 + 4 * SECOND, 700 + SECOND)).hasUsageNanoCores());
  }

  @Test
  void containerStatsCarryMemoryAndTheWritableLayer() {
    StatsMessages stats = new StatsMessages();
    ContainerAttributes attributes = ContainerAttributes.newBuilder().setId("c1").build();

    ContainerStats message = stats.container(attributes, Optional.of(usage(T0, 10)),
        new DiskUsage(4096, 3), Path.of("/var/lib/pier/containers"), T0);

    assertEquals(30_000_000, message.getMemory().getWorkingSetBytes().getValue());
    assertEquals(40_000_000, message.getMemory().getUsageBytes().getValue());
    assertEquals(25_000_000, message.getMemory().getRssBytes().getValue());
    assertEquals(900, message.getMemory().getPageFaults().getValue());
    assertEquals(3, message.getMemory().getMajorPageFaults().getValue());
    assertEquals(10, message.getCpu().getUsageCoreNanoSeconds().getValue());
    assertEquals("/var/lib/pier/containers",
        message.getWritableLayer().getFsId().getMountpoint());
    assertEquals(4096, message.getWritableLayer().getUsedBytes().getValue());
    assertEquals(3, message.getWritableLayer().getInodesUsed().getValue());

    ContainerStats exited = stats.container(attributes, Optional.empty(),
        new DiskUsage(0, 0), Path.of("/var/lib/pier/containers"), T0);
    assertFalse(exited.hasCpu());
    assertTrue(exited.hasWritableLayer());
  }

  @Test
  void podStatsHoldTheirContainersAndTheirOwnRate() {
    StatsMessages stats = new StatsMessages();
    PodSandboxAttributes attributes = PodSandboxAttributes.newBuilder().setId("p1").build();
    ContainerStats container = ContainerStats.newBuilder()
        .setAttributes(ContainerAttributes.newBuilder().setId("c1")).build();

    stats.pod(attributes, Optional.of(usage(T0, 0)), List.of(container));
    PodSandboxStats pod = stats.pod(attributes, Optional.of(usage(T0 + SECOND, 2 * SECOND)),
        List.of(container));

    assertEquals(2 * SECOND, pod.getLinux().getCpu().getUsageNanoCores().getValue());
    assertEquals(30_000_000, pod.getLinux().getMemory().getWorkingSetBytes().getValue());
    assertEquals("c1", pod.getLinux().getContainers(0).getAttributes().getId());
  }
}
