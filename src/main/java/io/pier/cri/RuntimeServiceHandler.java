package io.pier.cri;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.pier.BuildInfo;
import io.pier.cgroup.CgroupDriver;
import io.pier.cri.v1.AttachRequest;
import io.pier.cri.v1.AttachResponse;
import io.pier.cri.v1.ContainerEventResponse;
import io.pier.cri.v1.ContainerStatsRequest;
import io.pier.cri.v1.ContainerStatsResponse;
import io.pier.cri.v1.ContainerStatusRequest;
import io.pier.cri.v1.ContainerStatusResponse;
import io.pier.cri.v1.CreateContainerRequest;
import io.pier.cri.v1.CreateContainerResponse;
import io.pier.cri.v1.ExecRequest;
import io.pier.cri.v1.ExecResponse;
import io.pier.cri.v1.ExecSyncRequest;
import io.pier.cri.v1.ExecSyncResponse;
import io.pier.cri.v1.GetEventsRequest;
import io.pier.cri.v1.LinuxRuntimeConfiguration;
import io.pier.cri.v1.ListContainerStatsRequest;
import io.pier.cri.v1.ListContainerStatsResponse;
import io.pier.cri.v1.ListContainersRequest;
import io.pier.cri.v1.ListContainersResponse;
import io.pier.cri.v1.ListPodSandboxRequest;
import io.pier.cri.v1.ListPodSandboxResponse;
import io.pier.cri.v1.ListPodSandboxStatsRequest;
import io.pier.cri.v1.ListPodSandboxStatsResponse;
import io.pier.cri.v1.PodSandboxStatsRequest;
import io.pier.cri.v1.PortForwardRequest;
import io.pier.cri.v1.PortForwardResponse;
import io.pier.cri.v1.PodSandboxStatsResponse;
import io.pier.cri.v1.PodSandboxStatusRequest;
import io.pier.cri.v1.PodSandboxStatusResponse;
import io.pier.cri.v1.RemoveContainerRequest;
import io.pier.cri.v1.RemoveContainerResponse;
import io.pier.cri.v1.RemovePodSandboxRequest;
import io.pier.cri.v1.RemovePodSandboxResponse;
import io.pier.cri.v1.ReopenContainerLogRequest;
import io.pier.cri.v1.ReopenContainerLogResponse;
import io.pier.cri.v1.RunPodSandboxRequest;
import io.pier.cri.v1.RunPodSandboxResponse;
import io.pier.cri.v1.RuntimeConfigRequest;
import io.pier.cri.v1.RuntimeConfigResponse;
import io.pier.cri.v1.RuntimeServiceGrpc;
import io.pier.cri.v1.StartContainerRequest;
import io.pier.cri.v1.StartContainerResponse;
import io.pier.cri.v1.StatusRequest;
import io.pier.cri.v1.StatusResponse;
import io.pier.cri.v1.StopContainerRequest;
import io.pier.cri.v1.StopContainerResponse;
import io.pier.cri.v1.StopPodSandboxRequest;
import io.pier.cri.v1.StopPodSandboxResponse;
import io.pier.cri.v1.UpdateContainerResourcesRequest;
import io.pier.cri.v1.UpdateContainerResourcesResponse;
import io.pier.cri.v1.UpdateRuntimeConfigRequest;
import io.pier.cri.v1.UpdateRuntimeConfigResponse;
import io.pier.cri.v1.VersionRequest;
import io.pier.cri.v1.VersionResponse;
import io.pier.network.PodCidr;
import io.pier.node.NodeStatus;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The CRI RuntimeService. RPCs not implemented here answer {@code UNIMPLEMENTED} naming the
 * method, through the generated interface's defaults.
 */
@ApplicationScoped
public class RuntimeServiceHandler implements RuntimeServiceGrpc.AsyncService {

  /** The kubelet-facing API version of the Version RPC itself, fixed by the CRI. */
  static final String KUBELET_API_VERSION = "0.1.0";

  private final NodeStatus nodeStatus;
  private final PodSandboxHandler pods;
  private final CgroupDriver cgroupDriver;
  private final PodCidr podCidr;
  private final ContainerHandler containers;
  private final ContainerEventStream events;
  private final StatsHandler stats;
  private final StreamingHandler streaming;

  RuntimeServiceHandler(NodeStatus nodeStatus, PodSandboxHandler pods, CgroupDriver cgroupDriver,
      PodCidr podCidr, ContainerHandler containers, ContainerEventStream events,
      StatsHandler stats, StreamingHandler streaming) {
    this.nodeStatus = nodeStatus;
    this.pods = pods;
    this.cgroupDriver = cgroupDriver;
    this.podCidr = podCidr;
    this.containers = containers;
    this.events = events;
    this.stats = stats;
    this.streaming = streaming;
  }

  @Override
  public void version(VersionRequest request, StreamObserver<VersionResponse> response) {
    Calls.answer(response, () -> VersionResponse.newBuilder()
        .setVersion(KUBELET_API_VERSION)
        .setRuntimeName("pier")
        .setRuntimeVersion(BuildInfo.version())
        .setRuntimeApiVersion("v1")
        .build());
  }

  @Override
  public void status(StatusRequest request, StreamObserver<StatusResponse> response) {
    Calls.answer(response, () -> nodeStatus.status(request.getVerbose()));
  }

  @Override
  public void runtimeConfig(RuntimeConfigRequest request,
      StreamObserver<RuntimeConfigResponse> response) {
    Calls.answer(response, () -> RuntimeConfigResponse.newBuilder()
        .setLinux(LinuxRuntimeConfiguration.newBuilder()
            .setCgroupDriver(cgroupDriver.kind() == CgroupDriver.Kind.SYSTEMD
                ? io.pier.cri.v1.CgroupDriver.SYSTEMD
                : io.pier.cri.v1.CgroupDriver.CGROUPFS))
        .build());
  }

  @Override
  public void updateRuntimeConfig(UpdateRuntimeConfigRequest request,
      StreamObserver<UpdateRuntimeConfigResponse> response) {
    Calls.answer(response, () -> {
      try {
        podCidr.update(request.getRuntimeConfig().getNetworkConfig().getPodCidr());
      } catch (IllegalArgumentException e) {
        throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
      }
      return UpdateRuntimeConfigResponse.getDefaultInstance();
    });
  }

  @Override
  public void runPodSandbox(RunPodSandboxRequest request,
      StreamObserver<RunPodSandboxResponse> response) {
    Calls.answer(response, () -> pods.run(request));
  }

  @Override
  public void stopPodSandbox(StopPodSandboxRequest request,
      StreamObserver<StopPodSandboxResponse> response) {
    Calls.answer(response, () -> pods.stop(request));
  }

  @Override
  public void removePodSandbox(RemovePodSandboxRequest request,
      StreamObserver<RemovePodSandboxResponse> response) {
    Calls.answer(response, () -> pods.remove(request));
  }

  @Override
  public void podSandboxStatus(PodSandboxStatusRequest request,
      StreamObserver<PodSandboxStatusResponse> response) {
    Calls.answer(response, () -> pods.status(request));
  }

  @Override
  public void listPodSandbox(ListPodSandboxRequest request,
      StreamObserver<ListPodSandboxResponse> response) {
    Calls.answer(response, () -> pods.list(request));
  }

  @Override
  public void createContainer(CreateContainerRequest request,
      StreamObserver<CreateContainerResponse> response) {
    Calls.answer(response, () -> containers.create(request));
  }

  @Override
  public void startContainer(StartContainerRequest request,
      StreamObserver<StartContainerResponse> response) {
    Calls.answer(response, () -> containers.start(request));
  }

  @Override
  public void stopContainer(StopContainerRequest request,
      StreamObserver<StopContainerResponse> response) {
    Calls.answer(response, () -> containers.stop(request));
  }

  @Override
  public void removeContainer(RemoveContainerRequest request,
      StreamObserver<RemoveContainerResponse> response) {
    Calls.answer(response, () -> containers.remove(request));
  }

  @Override
  public void containerStatus(ContainerStatusRequest request,
      StreamObserver<ContainerStatusResponse> response) {
    Calls.answer(response, () -> containers.status(request));
  }

  @Override
  public void listContainers(ListContainersRequest request,
      StreamObserver<ListContainersResponse> response) {
    Calls.answer(response, () -> containers.list(request));
  }

  @Override
  public void execSync(ExecSyncRequest request, StreamObserver<ExecSyncResponse> response) {
    Calls.answer(response, () -> containers.execSync(request));
  }

  @Override
  public void exec(ExecRequest request, StreamObserver<ExecResponse> response) {
    Calls.answer(response, () -> streaming.exec(request));
  }

  @Override
  public void attach(AttachRequest request, StreamObserver<AttachResponse> response) {
    Calls.answer(response, () -> streaming.attach(request));
  }

  @Override
  public void portForward(PortForwardRequest request,
      StreamObserver<PortForwardResponse> response) {
    Calls.answer(response, () -> streaming.portForward(request));
  }

  @Override
  public void reopenContainerLog(ReopenContainerLogRequest request,
      StreamObserver<ReopenContainerLogResponse> response) {
    Calls.answer(response, () -> containers.reopenLog(request));
  }

  @Override
  public void updateContainerResources(UpdateContainerResourcesRequest request,
      StreamObserver<UpdateContainerResourcesResponse> response) {
    Calls.answer(response, () -> containers.update(request));
  }

  @Override
  public void getContainerEvents(GetEventsRequest request,
      StreamObserver<ContainerEventResponse> response) {
    events.subscribe(response);
  }

  @Override
  public void containerStats(ContainerStatsRequest request,
      StreamObserver<ContainerStatsResponse> response) {
    Calls.answer(response, () -> stats.container(request));
  }

  @Override
  public void listContainerStats(ListContainerStatsRequest request,
      StreamObserver<ListContainerStatsResponse> response) {
    Calls.answer(response, () -> stats.listContainers(request));
  }

  @Override
  public void podSandboxStats(PodSandboxStatsRequest request,
      StreamObserver<PodSandboxStatsResponse> response) {
    Calls.answer(response, () -> stats.pod(request));
  }

  @Override
  public void listPodSandboxStats(ListPodSandboxStatsRequest request,
      StreamObserver<ListPodSandboxStatsResponse> response) {
    Calls.answer(response, () -> stats.listPods(request));
  }
}
