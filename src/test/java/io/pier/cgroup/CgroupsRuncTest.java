package io.pier.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pier.oci.RuntimeClient;
import io.pier.system.HostCommand;
import io.pier.testing.BusyboxBundle;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Busybox containers under real runc, placed in real cgroups below a test pod parent. */
@QuarkusTest
class CgroupsRuncTest {

  private static final long MIB = 1024 * 1024;

  @Inject
  Cgroups cgroups;

  @Inject
  RuntimeClient runtime;

  @TempDir
  Path tmp;

  private final String suffix = UUID.randomUUID().toString().substring(0, 8);
  private final String id = "pier-test-cg-" + suffix;
  private final String top = "/pier-test-" + suffix;
  private final String podParent = top + "/pod-" + suffix;

  @AfterEach
  void cleanUp() throws Exception {
    runtime.delete(id);
    cgroups.removePodParent(podParent);
    for (Path root : CgroupHierarchy.ofHost().roots()) {
      Files.deleteIfExists(root.resolve(podParent.substring(1)));
      Files.deleteIfExists(root.resolve(top.substring(1)));
    }
  }

  @Test
  void usageShowsCpuAndMemoryAndNothingRemainsAfterDelete() throws Exception {
    cgroups.ensurePodParent(podParent);
    assertFalse(cgroups.leftovers(podParent).isEmpty());
    String path = cgroups.containerCgroupsPath(podParent, id);
    assertEquals(podParent + "/pier-" + id, path);

    // 40 MiB in the container's /dev/shm (tmpfs, charged to its memory cgroup), then a loop.
    run(path, 0, "/bin/busybox head -c 41943040 /dev/zero > /dev/shm/fill; while :; do :; done");

    CgroupUsage filled = await(u -> u.memoryWorkingSetBytes() > 38 * MIB, path);
    Thread.sleep(1000);
    CgroupUsage later = cgroups.usage(path).orElseThrow();
    assertTrue(later.cpuUsageCoreNanos() - filled.cpuUsageCoreNanos() > 20_000_000,
        "CPU use rose by " + (later.cpuUsageCoreNanos() - filled.cpuUsageCoreNanos()) + "ns");
    assertTrue(later.timestampNanos() > filled.timestampNanos());
    assertTrue(later.memoryUsageBytes() >= later.memoryWorkingSetBytes());
    assertTrue(later.pageFaults() > 0);
    assertTrue(Files.isDirectory(cgroups.hostPath(path, "memory").orElseThrow()));

    CgroupUsage pod = cgroups.podUsage(podParent, List.of(path)).orElseThrow();
    assertTrue(pod.memoryWorkingSetBytes() > 38 * MIB, "pod working set " + pod);
    assertTrue(pod.cpuUsageCoreNanos() >= later.cpuUsageCoreNanos());
    CgroupUsage summed = cgroups.podUsage("", List.of(path)).orElseThrow();
    assertTrue(summed.memoryWorkingSetBytes() > 38 * MIB, "summed working set " + summed);

    runtime.delete(id);
    assertEquals(Optional.empty(), cgroups.usage(path));
    assertFalse(cgroups.leftovers(podParent).isEmpty(), "runc leaves the pod parent behind");

    cgroups.removePodParent(podParent);
    cgroups.removePodParent(podParent);
    assertEquals(List.of(), cgroups.leftovers(podParent));
    for (Path root : CgroupHierarchy.ofHost().roots()) {
      assertFalse(Files.exists(root.resolve(top.substring(1))), root + top + " remains");
    }
  }

  @Test
  void aContainerOverItsMemoryLimitIsOomKilled() throws Exception {
    cgroups.ensurePodParent(podParent);
    String path = cgroups.containerCgroupsPath(podParent, id);

    // The shell keeps 60 MB of output in a variable: far over the 20 MiB limit.
    run(path, 20 * MIB,
        "x=$(/bin/busybox yes | /bin/busybox head -c 60000000); /bin/busybox sleep 1000");

    for (int i = 0; i < 150 && cgroups.oomKills(path) == 0; i++) {
      Thread.sleep(100);
    }
    assertTrue(cgroups.oomKills(path) >= 1, "oom kills: " + cgroups.oomKills(path));
    assertTrue(cgroups.usage(path).orElseThrow().oomEvents() >= 1);

    runtime.delete(id);
    assertEquals(0, cgroups.oomKills(path));
    cgroups.removePodParent(podParent);
    assertEquals(List.of(), cgroups.leftovers(podParent));
  }

  @Test
  void aParentPierDidNotCreateIsLeftAlone() throws Exception {
    for (Path root : CgroupHierarchy.ofHost().roots()) {
      Files.createDirectories(root.resolve(podParent.substring(1)));
    }

    cgroups.ensurePodParent(podParent);
    cgroups.removePodParent(podParent);

    assertEquals(CgroupHierarchy.ofHost().roots().size(), cgroups.leftovers(podParent).size());
  }

  private void run(String cgroupsPath, long memoryLimit, String script) throws Exception {
    Path bundle = BusyboxBundle.create(tmp.resolve("bundle"),
        List.of("/bin/busybox", "sh", "-c", script));
    ObjectMapper json = new ObjectMapper();
    Path configFile = bundle.resolve("config.json");
    ObjectNode config = (ObjectNode) json.readTree(configFile.toFile());
    ObjectNode linux = (ObjectNode) config.get("linux");
    linux.put("cgroupsPath", cgroupsPath);
    if (memoryLimit > 0) {
      ObjectNode resources = linux.has("resources")
          ? (ObjectNode) linux.get("resources") : linux.putObject("resources");
      resources.putObject("memory").put("limit", memoryLimit);
    }
    json.writeValue(configFile.toFile(), config);
    // runc run -d hands its stdio to the container: give it /dev/null, not our pipes.
    HostCommand.Result run = HostCommand.of("sh", "-c", "exec runc --root \"$1\" run -d"
        + " --bundle \"$2\" \"$3\" </dev/null >/dev/null 2>&1", "sh",
        runtime.runtimeRoot().toString(), bundle.toString(), id).run();
    assertEquals(0, run.exitCode(), run.explanation());
  }

  private CgroupUsage await(Predicate<CgroupUsage> condition, String path) throws Exception {
    Optional<CgroupUsage> usage = Optional.empty();
    for (int i = 0; i < 100; i++) {
      usage = cgroups.usage(path);
      if (usage.isPresent() && condition.test(usage.get())) {
        return usage.get();
      }
      Thread.sleep(100);
    }
    throw new AssertionError("cgroup " + path + " never reached the expected usage: " + usage);
  }
}
