package io.pier.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.Status;
import io.pier.NotFoundException;
import io.pier.cgroup.Cgroups;
import io.pier.config.PierConfig;
import io.pier.cri.v1.Capability;
import io.pier.cri.v1.ContainerConfig;
import io.pier.cri.v1.ContainerMetadata;
import io.pier.cri.v1.ImageSpec;
import io.pier.cri.v1.LinuxContainerConfig;
import io.pier.cri.v1.LinuxContainerResources;
import io.pier.cri.v1.LinuxContainerSecurityContext;
import io.pier.cri.v1.NamespaceMode;
import io.pier.cri.v1.NamespaceOption;
import io.pier.cri.v1.PodSandboxConfig;
import io.pier.exit.ExitWatcher;
import io.pier.image.ContainerRootfs;
import io.pier.image.ImageNotFoundException;
import io.pier.image.ImageRecord;
import io.pier.image.ImageService;
import io.pier.image.RegistryCredentials;
import io.pier.image.RegistryUnavailableException;
import io.pier.monitor.MonitorLauncher;
import io.pier.monitor.MonitorRequest;
import io.pier.monitor.MonitorStart;
import io.pier.oci.RuntimeClient;
import io.pier.oci.RuntimeState;
import io.pier.oci.SpecGenerator;
import io.pier.oci.SpecInput;
import io.pier.state.Trees;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * A pod's infra container: the pause image's process, PID 1 of the pod's shared PID
 * namespace, run under its own monitor like every container. It has the pod's ID as its
 * container ID and its bundle in the pod's directory.
 */
@ApplicationScoped
public class InfraContainer {

  private static final Logger LOG = Logger.getLogger(InfraContainer.class);
  /** What kubelet asks for the infra containers of other runtimes; clamped where needed. */
  private static final long OOM_SCORE_ADJ = -998;
  /** The smallest CPU weight cgroups accept: the pause process only waits. */
  private static final long CPU_SHARES = 2;

  private final String pauseImage;
  private final ImageService images;
  private final ContainerRootfs rootfs;
  private final SpecGenerator specs;
  private final Cgroups cgroups;
  private final MonitorLauncher monitors;
  private final RuntimeClient runtime;
  private final ExitWatcher exitWatcher;
  private final ObjectMapper json;

  InfraContainer(PierConfig config, ImageService images, ContainerRootfs rootfs,
      SpecGenerator specs, Cgroups cgroups, MonitorLauncher monitors, RuntimeClient runtime,
      ExitWatcher exitWatcher, ObjectMapper json) {
    this.pauseImage = config.pauseImage();
    this.images = images;
    this.rootfs = rootfs;
    this.specs = specs;
    this.cgroups = cgroups;
    this.monitors = monitors;
    this.runtime = runtime;
    this.exitWatcher = exitWatcher;
    this.json = json;
  }

  /**
   * Starts the infra container of {@code sandbox}, pulling the pause image when the store
   * lacks it, and returns its PID; on failure nothing of it is left.
   */
  int start(Sandbox sandbox, Path podDir) {
    String id = sandbox.id();
    Path bundle = podDir.resolve("infra");
    try {
      ImageRecord image = pauseImage();
      JsonNode imageConfig = images.config(image).map(c -> c.path("config"))
          .orElseGet(json::createObjectNode);
      Files.createDirectories(bundle);
      ContainerRootfs.Mount mount = rootfs.mount(id, image.id());
      String cgroupsPath = cgroups.containerCgroupsPath(sandbox.spec().cgroupParent(), id);
      ObjectNode spec = specs.generate(new SpecInput(id, config(sandbox.spec()),
          PodSandboxConfig.getDefaultInstance(), sandbox, imageConfig, mount.rootfs(),
          cgroupsPath, Optional.empty(), Optional.empty()));
      Files.write(bundle.resolve("config.json"), json.writeValueAsBytes(spec));
      MonitorStart started = monitors.create(new MonitorRequest(id, "POD", bundle,
          Path.of("/dev/null"), bundle, false, false, false, -1),
          "the infra container of pod " + id + " from " + pauseImage);
      runtime.start(id);
      LOG.infof("pod %s: infra container from %s started, pid %d under monitor %d", id,
          pauseImage, started.containerPid(), started.monitorPid());
      return started.containerPid();
    } catch (IOException | RuntimeException e) {
      LOG.warnf("pod %s: infra container from %s not started: %s", id, pauseImage,
          e.getMessage());
      remove(id);
      Trees.delete(bundle);
      if (e instanceof IOException io) {
        throw new UncheckedIOException("starting the infra container of pod " + id, io);
      }
      throw (RuntimeException) e;
    }
  }

  /** Whether the infra container of {@code sandbox} still runs as the recorded PID. */
  boolean isRunning(Sandbox sandbox) {
    Optional<RuntimeState> state = runtime.state(sandbox.id());
    return state.isPresent() && state.get().status() == RuntimeState.Status.RUNNING
        && state.get().pid() == sandbox.infraPid();
  }

  /** Kills and deletes the infra container of pod {@code id}; a missing one is no error. */
  void stop(String id) {
    runtime.delete(id);
    exitWatcher.forget(id);
  }

  /** Stops the infra container of pod {@code id} and removes its root filesystem. */
  void remove(String id) {
    try {
      stop(id);
    } finally {
      rootfs.remove(id);
      Trees.delete(monitors.attachDir().resolve(id));
    }
  }

  private ImageRecord pauseImage() {
    Optional<ImageRecord> present = images.find(pauseImage);
    if (present.isPresent()) {
      return present.get();
    }
    LOG.infof("pulling the pause image %s for infra containers", pauseImage);
    try {
      return images.pull(pauseImage, RegistryCredentials.NONE);
    } catch (ImageNotFoundException e) {
      throw new NotFoundException("pause image " + pauseImage + " not found: "
          + e.getMessage());
    } catch (RegistryUnavailableException e) {
      throw Status.UNAVAILABLE.withDescription("pulling the pause image " + pauseImage + ": "
          + e.getMessage()).asRuntimeException();
    }
  }

  /** The CRI configuration Pier gives an infra container: the pause image, little else. */
  private ContainerConfig config(PodSpec pod) {
    NamespaceOption namespaces = NamespaceOption.newBuilder()
        .setPid(NamespaceMode.CONTAINER)
        .setNetwork(pod.hostNetwork() ? NamespaceMode.NODE : NamespaceMode.POD)
        .setIpc(pod.hostIpc() ? NamespaceMode.NODE : NamespaceMode.POD)
        .build();
    return ContainerConfig.newBuilder()
        .setMetadata(ContainerMetadata.newBuilder().setName("POD"))
        .setImage(ImageSpec.newBuilder().setImage(pauseImage))
        .setLinux(LinuxContainerConfig.newBuilder()
            .setResources(LinuxContainerResources.newBuilder()
                .setOomScoreAdj(OOM_SCORE_ADJ)
                .setCpuShares(CPU_SHARES))
            .setSecurityContext(LinuxContainerSecurityContext.newBuilder()
                .setNamespaceOptions(namespaces)
                .setReadonlyRootfs(true)
                .setNoNewPrivs(true)
                .setCapabilities(Capability.newBuilder().addDropCapabilities("ALL"))))
        .build();
  }
}
