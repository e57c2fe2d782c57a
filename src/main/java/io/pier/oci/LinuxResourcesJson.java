package io.pier.oci;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pier.cri.v1.HugepageLimit;
import io.pier.cri.v1.LinuxContainerResources;

/** The OCI {@code linux.resources} object for the CRI's CPU, memory and hugepage limits. */
public final class LinuxResourcesJson {

  private LinuxResourcesJson() {}

  /** The OCI resources kubelet's limits ask for; zero values are left out, as unset. */
  public static ObjectNode of(LinuxContainerResources r, ObjectMapper json) {
    ObjectNode resources = json.createObjectNode();
    ObjectNode cpu = json.createObjectNode();
    if (r.getCpuShares() > 0) {
      cpu.put("shares", r.getCpuShares());
    }
    if (r.getCpuQuota() != 0) {
      cpu.put("quota", r.getCpuQuota());
    }
    if (r.getCpuPeriod() > 0) {
      cpu.put("period", r.getCpuPeriod());
    }
    if (!r.getCpusetCpus().isEmpty()) {
      cpu.put("cpus", r.getCpusetCpus());
    }
    if (!r.getCpusetMems().isEmpty()) {
      cpu.put("mems", r.getCpusetMems());
    }
    if (!cpu.isEmpty()) {
      resources.set("cpu", cpu);
    }
    ObjectNode memory = json.createObjectNode();
    if (r.getMemoryLimitInBytes() > 0) {
      memory.put("limit", r.getMemoryLimitInBytes());
    }
    if (r.getMemorySwapLimitInBytes() > 0) {
      memory.put("swap", r.getMemorySwapLimitInBytes());
    }
    if (!memory.isEmpty()) {
      resources.set("memory", memory);
    }
    for (HugepageLimit limit : r.getHugepageLimitsList()) {
      resources.withArray("hugepageLimits").addObject()
          .put("pageSize", limit.getPageSize())
          .put("limit", limit.getLimit());
    }
    if (!r.getUnifiedMap().isEmpty()) {
      ObjectNode unified = resources.putObject("unified");
      r.getUnifiedMap().forEach(unified::put);
    }
    return resources;
  }
}
