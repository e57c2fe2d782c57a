package io.pier.oci;

import io.pier.cgroup.CgroupDriver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * What the node offers that a runtime spec depends on, read once from the host.
 *
 * @param apparmor whether AppArmor is enabled in the kernel
 * @param unifiedCgroup whether cgroups are the unified (v2) hierarchy
 * @param swapAccounting whether the memory cgroup accounts swap (memory+swap limits work)
 * @param oomScoreAdj pierd's own {@code oom_score_adj}, the lowest a container may get
 *     without CAP_SYS_RESOURCE
 * @param capabilities the capabilities in pierd's bounding set, by name ({@code CAP_CHOWN})
 * @param recursiveReadOnlyMounts whether the OCI runtime makes bind mounts read-only
 *     recursively (its mount option {@code rro})
 */
public record HostFeatures(
    boolean apparmor,
    boolean unifiedCgroup,
    boolean swapAccounting,
    int oomScoreAdj,
    Set<String> capabilities,
    boolean recursiveReadOnlyMounts) {

  /** The features of this host and its OCI runtime. */
  public static HostFeatures detect(OciRuntime runtime) {
    boolean unified = CgroupDriver.unifiedHierarchy();
    String oomScoreAdj = read(Path.of("/proc/self/oom_score_adj"));
    return new HostFeatures(
        read(Path.of("/sys/module/apparmor/parameters/enabled")).equals("Y"),
        unified,
        unified
            ? Files.exists(Path.of("/sys/fs/cgroup/system.slice/memory.swap.max"))
                || Files.exists(Path.of("/sys/fs/cgroup/init.scope/memory.swap.max"))
            : Files.exists(Path.of("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes")),
        oomScoreAdj.isEmpty() ? 0 : Integer.parseInt(oomScoreAdj),
        Capabilities.bounding(),
        runtime.recursiveReadOnlyMounts());
  }

  private static String read(Path file) {
    try {
      return Files.readString(file).strip();
    } catch (IOException e) {
      return "";
    }
  }
}
