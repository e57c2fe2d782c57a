package io.pier.cri;

import io.pier.cgroup.CgroupUsage;
import io.pier.cgroup.Cgroups;
import io.pier.container.Container;
import io.pier.container.ContainerChange;
import io.pier.container.ContainerManager;
import io.pier.cri.v1.ContainerAttributes;
import io.pier.cri.v1.ContainerConfig;
import io.pier.cri.v1.ContainerStats;
import io.pier.cri.v1.ContainerStatsFilter;
import io.pier.cri.v1.ContainerStatsRequest;
import io.pier.cri.v1.ContainerStatsResponse;
import io.pier.cri.v1.ListContainerStatsRequest;
import io.pier.cri.v1.ListContainerStatsResponse;
import io.pier.cri.v1.ListPodSandboxStatsRequest;
import io.pier.cri.v1.ListPodSandboxStatsResponse;
import io.pier.cri.v1.PodSandboxAttributes;
import io.pier.cri.v1.PodSandboxStats;
import io.pier.cri.v1.PodSandboxStatsFilter;
import io.pier.cri.v1.PodSandboxStatsRequest;
import io.pier.cri.v1.PodSandboxStatsResponse;
import io.pier.image.ContainerRootfs;
import io.pier.sandbox.Sandbox;
import io.pier.sandbox.SandboxManager;
import io.pier.state.DiskUsage;
import io.pier.state.StateDirectories;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The stats RPCs: cgroup CPU and memory, and writable-layer usage, per container and pod. */
@ApplicationScoped
class StatsHandler {

  private final ContainerManager containers;
  private final SandboxManager sandboxes;
  private final Cgroups cgroups;
  private final ContainerRootfs rootfs;
  private final Path layerMountpoint;
  private final StatsMessages messages = new StatsMessages();

  StatsHandler(ContainerManager containers, SandboxManager sandboxes, Cgroups cgroups,
      ContainerRootfs rootfs, StateDirectories dirs) {
    this.containers = containers;
    this.sandboxes = sandboxes;
    this.cgroups = cgroups;
    this.rootfs = rootfs;
    this.layerMountpoint = dirs.containerStore();
  }

  ContainerStatsResponse container(ContainerStatsRequest request) {
    return ContainerStatsResponse.newBuilder()
        .setStats(stats(containers.get(request.getContainerId())))
        .build();
  }

  ListContainerStatsResponse listContainers(ListContainerStatsRequest request) {
    ContainerStatsFilter filter = request.getFilter();
    ListContainerStatsResponse.Builder response = ListContainerStatsResponse.newBuilder();
    for (Container container : containers.list()) {
      if (container.state() == Container.State.RUNNING && matches(container, filter)) {
        response.addStats(stats(container));
      }
    }
    return response.build();
  }

  PodSandboxStatsResponse pod(PodSandboxStatsRequest request) {
    return PodSandboxStatsResponse.newBuilder()
        .setStats(stats(sandboxes.get(request.getPodSandboxId())))
        .build();
  }

  ListPodSandboxStatsResponse listPods(ListPodSandboxStatsRequest request) {
    PodSandboxStatsFilter filter = request.getFilter();
    ListPodSandboxStatsResponse.Builder response = ListPodSandboxStatsResponse.newBuilder();
    for (Sandbox sandbox : sandboxes.list()) {
      if (sandbox.state() == Sandbox.State.READY && matches(sandbox, filter)) {
        response.addStats(stats(sandbox));
      }
    }
    return response.build();
  }

  /** Drops the CPU sample of a removed container. */
  void forget(@Observes ContainerChange change) {
    if (change.kind() == ContainerChange.Kind.DELETED) {
      messages.forget(change.container().id());
    }
  }

  private ContainerStats stats(Container container) {
    ContainerConfig config = container.containerConfig();
    ContainerAttributes attributes = ContainerAttributes.newBuilder()
        .setId(container.id())
        .setMetadata(config.getMetadata())
        .putAllLabels(config.getLabelsMap())
        .putAllAnnotations(config.getAnnotationsMap())
        .build();
    Optional<CgroupUsage> usage = container.state() == Container.State.EXITED
        ? Optional.empty() : cgroups.usage(container.cgroupsPath());
    return messages.container(attributes, usage, DiskUsage.of(rootfs.upperDir(container.id())),
        layerMountpoint, nowNanos());
  }

  private PodSandboxStats stats(Sandbox sandbox) {
    PodSandboxAttributes attributes = PodSandboxAttributes.newBuilder()
        .setId(sandbox.id())
        .setMetadata(PodSandboxHandler.metadata(sandbox.spec()))
        .putAllLabels(sandbox.spec().labels())
        .putAllAnnotations(sandbox.spec().annotations())
        .build();
    List<Container> running = containers.ofPod(sandbox.id()).stream()
        .filter(c -> c.state() == Container.State.RUNNING)
        .toList();
    List<ContainerStats> each = running.stream().map(this::stats).toList();
    Optional<CgroupUsage> usage = cgroups.podUsage(sandbox.spec().cgroupParent(),
        running.stream().map(Container::cgroupsPath).toList());
    return messages.pod(attributes, usage, each);
  }

  private static boolean matches(Container container, ContainerStatsFilter filter) {
    if (!filter.getId().isEmpty() && !container.id().startsWith(filter.getId())) {
      return false;
    }
    if (!filter.getPodSandboxId().isEmpty()
        && !container.sandboxId().startsWith(filter.getPodSandboxId())) {
      return false;
    }
    return labelsMatch(container.containerConfig().getLabelsMap(),
        filter.getLabelSelectorMap());
  }

  private static boolean matches(Sandbox sandbox, PodSandboxStatsFilter filter) {
    if (!filter.getId().isEmpty() && !sandbox.id().startsWith(filter.getId())) {
      return false;
    }
    return labelsMatch(sandbox.spec().labels(), filter.getLabelSelectorMap());
  }

  private static boolean labelsMatch(Map<String, String> labels, Map<String, String> selector) {
    for (Map.Entry<String, String> wanted : selector.entrySet()) {
      if (!wanted.getValue().equals(labels.get(wanted.getKey()))) {
        return false;
      }
    }
    return true;
  }

  private static long nowNanos() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }
}
