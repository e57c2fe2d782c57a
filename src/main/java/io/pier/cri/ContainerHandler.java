package io.pier.cri;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.pier.container.Container;
import io.pier.container.ContainerManager;
import io.pier.cri.v1.ContainerConfig;
import io.pier.cri.v1.ContainerFilter;
import io.pier.cri.v1.ContainerResources;
import io.pier.cri.v1.ContainerState;
import io.pier.cri.v1.ContainerStatus;
import io.pier.cri.v1.ContainerStatusRequest;
import io.pier.cri.v1.ContainerStatusResponse;
import io.pier.cri.v1.ContainerUser;
import io.pier.cri.v1.CreateContainerRequest;
import io.pier.cri.v1.CreateContainerResponse;
import io.pier.cri.v1.ExecSyncRequest;
import io.pier.cri.v1.ExecSyncResponse;
import io.pier.cri.v1.LinuxContainerUser;
import io.pier.cri.v1.ListContainersRequest;
import io.pier.cri.v1.ListContainersResponse;
import io.pier.cri.v1.RemoveContainerRequest;
import io.pier.cri.v1.RemoveContainerResponse;
import io.pier.cri.v1.ReopenContainerLogRequest;
import io.pier.cri.v1.ReopenContainerLogResponse;
import io.pier.cri.v1.Signal;
import io.pier.cri.v1.StartContainerRequest;
import io.pier.cri.v1.StartContainerResponse;
import io.pier.cri.v1.StopContainerRequest;
import io.pier.cri.v1.StopContainerResponse;
import io.pier.cri.v1.UpdateContainerResourcesRequest;
import io.pier.cri.v1.UpdateContainerResourcesResponse;
import io.pier.monitor.ExecResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/** The container RPCs of the RuntimeService: CRI messages in, {@link ContainerManager} calls. */
@ApplicationScoped
class ContainerHandler {

  private static final Logger LOG = Logger.getLogger(ContainerHandler.class);

  /** Most bytes of output ExecSync returns: 16 MiB less room for the rest of the message. */
  static final int EXEC_OUTPUT_MAX = 16 * 1024 * 1024 - 64 * 1024;

  private final ContainerManager containers;
  private final ObjectMapper json;

  ContainerHandler(ContainerManager containers, ObjectMapper json) {
    this.containers = containers;
    this.json = json;
  }

  CreateContainerResponse create(CreateContainerRequest request) {
    LOG.infof("CreateContainer %s in pod %s from %s", request.getConfig().getMetadata()
        .getName(), request.getPodSandboxId(), request.getConfig().getImage().getImage());
    Container container = containers.create(request.getPodSandboxId(), request.getConfig(),
        request.getSandboxConfig());
    return CreateContainerResponse.newBuilder().setContainerId(container.id()).build();
  }

  StartContainerResponse start(StartContainerRequest request) {
    containers.start(request.getContainerId());
    return StartContainerResponse.getDefaultInstance();
  }

  StopContainerResponse stop(StopContainerRequest request) {
    // Idempotent, as the CRI conformance suite checks: an unknown container is already stopped.
    if (containers.find(request.getContainerId()).isPresent()) {
      containers.stop(request.getContainerId(), Math.max(0, request.getTimeout()));
    }
    return StopContainerResponse.getDefaultInstance();
  }

  RemoveContainerResponse remove(RemoveContainerRequest request) {
    containers.remove(request.getContainerId());
    return RemoveContainerResponse.getDefaultInstance();
  }

  ContainerStatusResponse status(ContainerStatusRequest request) {
    Container container = containers.get(request.getContainerId());
    ContainerStatusResponse.Builder response = ContainerStatusResponse.newBuilder()
        .setStatus(status(container));
    if (request.getVerbose()) {
      response.putInfo("info", verboseInfo(container));
    }
    return response.build();
  }

  ListContainersResponse list(ListContainersRequest request) {
    ListContainersResponse.Builder response = ListContainersResponse.newBuilder();
    for (Container container : containers.list()) {
      if (matches(container, request.hasFilter() ? request.getFilter() : null)) {
        ContainerConfig config = container.containerConfig();
        response.addContainers(io.pier.cri.v1.Container.newBuilder()
            .setId(container.id())
            .setPodSandboxId(container.sandboxId())
            .setMetadata(config.getMetadata())
            .setImage(config.getImage())
            .setImageRef(container.imageRef())
            .setImageId(container.imageId())
            .setState(state(container))
            .setCreatedAt(container.createdAtNanos())
            .putAllLabels(config.getLabelsMap())
            .putAllAnnotations(config.getAnnotationsMap()));
      }
    }
    return response.build();
  }

  ExecSyncResponse execSync(ExecSyncRequest request) {
    ExecResult result = containers.execSync(request.getContainerId(), request.getCmdList(),
        (int) Math.max(0, request.getTimeout()));
    if (result.timedOut()) {
      throw Status.DEADLINE_EXCEEDED.withDescription("exec " + request.getCmdList()
          + " in container " + request.getContainerId() + " timed out after "
          + request.getTimeout() + "s").asRuntimeException();
    }
    // kubelet's gRPC client takes messages up to 16 MiB: keep the output's head within that.
    int stdout = Math.min(result.stdout().length, EXEC_OUTPUT_MAX);
    int stderr = Math.min(result.stderr().length, EXEC_OUTPUT_MAX - stdout);
    if (stdout + stderr < result.stdout().length + result.stderr().length) {
      LOG.infof("container %s: exec %s output cut to %d bytes", request.getContainerId(),
          request.getCmdList(), EXEC_OUTPUT_MAX);
    }
    return ExecSyncResponse.newBuilder()
        .setExitCode(result.exitCode())
        .setStdout(ByteString.copyFrom(result.stdout(), 0, stdout))
        .setStderr(ByteString.copyFrom(result.stderr(), 0, stderr))
        .build();
  }

  ReopenContainerLogResponse reopenLog(ReopenContainerLogRequest request) {
    containers.reopenLog(request.getContainerId());
    return ReopenContainerLogResponse.getDefaultInstance();
  }

  UpdateContainerResourcesResponse update(UpdateContainerResourcesRequest request) {
    containers.updateResources(request.getContainerId(), request.getLinux());
    return UpdateContainerResourcesResponse.getDefaultInstance();
  }

  /** The CRI status of one container, as ContainerStatus and the event stream report it. */
  ContainerStatus status(Container container) {
    ContainerConfig config = container.containerConfig();
    ContainerStatus.Builder status = ContainerStatus.newBuilder()
        .setId(container.id())
        .setMetadata(config.getMetadata())
        .setState(state(container))
        .setCreatedAt(container.createdAtNanos())
        .setStartedAt(container.startedAtNanos())
        .setFinishedAt(container.finishedAtNanos())
        .setExitCode(container.exitCode())
        .setImage(config.getImage())
        .setImageRef(container.imageRef())
        .setImageId(container.imageId())
        .setReason(container.reason())
        .setMessage(container.message())
        .putAllLabels(config.getLabelsMap())
        .putAllAnnotations(config.getAnnotationsMap())
        .addAllMounts(config.getMountsList())
        .setLogPath(container.logPath())
        .setStopSignal(signal(container.stopSignal()));
    if (config.hasLinux() && config.getLinux().hasResources()) {
      status.setResources(ContainerResources.newBuilder()
          .setLinux(config.getLinux().getResources()));
    }
    user(container).ifPresent(status::setUser);
    return status.build();
  }

  private Optional<ContainerUser> user(Container container) {
    try {
      JsonNode user = json.readTree(container.bundle().resolve("config.json").toFile())
          .path("process").path("user");
      if (user.isMissingNode()) {
        return Optional.empty();
      }
      LinuxContainerUser.Builder linux = LinuxContainerUser.newBuilder()
          .setUid(user.path("uid").asLong())
          .setGid(user.path("gid").asLong());
      user.path("additionalGids").forEach(g -> linux.addSupplementalGroups(g.asLong()));
      return Optional.of(ContainerUser.newBuilder().setLinux(linux).build());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private String verboseInfo(Container container) {
    ObjectNode info = json.createObjectNode();
    info.put("sandboxID", container.sandboxId());
    info.put("pid", container.pid());
    info.put("monitorPid", container.monitorPid());
    info.put("bundle", container.bundle().toString());
    info.put("cgroupsPath", container.cgroupsPath());
    try {
      info.set("runtimeSpec", json.readTree(container.bundle().resolve("config.json")
          .toFile()));
      return json.writeValueAsString(info);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("rendering container " + container.id(), e);
    } catch (IOException e) {
      return info.toString();
    }
  }

  private static boolean matches(Container container, ContainerFilter filter) {
    if (filter == null) {
      return true;
    }
    if (!filter.getId().isEmpty() && !container.id().startsWith(filter.getId())) {
      return false;
    }
    if (!filter.getPodSandboxId().isEmpty()
        && !container.sandboxId().startsWith(filter.getPodSandboxId())) {
      return false;
    }
    if (filter.hasState() && filter.getState().getState() != state(container)) {
      return false;
    }
    Map<String, String> labels = container.containerConfig().getLabelsMap();
    for (Map.Entry<String, String> label : filter.getLabelSelectorMap().entrySet()) {
      if (!label.getValue().equals(labels.get(label.getKey()))) {
        return false;
      }
    }
    return true;
  }

  static ContainerState state(Container container) {
    return switch (container.state()) {
      case CREATED -> ContainerState.CONTAINER_CREATED;
      case RUNNING -> ContainerState.CONTAINER_RUNNING;
      case EXITED -> ContainerState.CONTAINER_EXITED;
      case UNKNOWN -> ContainerState.CONTAINER_UNKNOWN;
    };
  }

  private static Signal signal(String name) {
    try {
      return Signal.valueOf(name.startsWith("SIG") ? name : "SIG" + name);
    } catch (IllegalArgumentException e) {
      return Signal.RUNTIME_DEFAULT;
    }
  }
}
