package io.pier.cri;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pier.container.ContainerManager;
import io.pier.cri.v1.DNSConfig;
import io.pier.cri.v1.LinuxPodSandboxStatus;
import io.pier.cri.v1.ListPodSandboxRequest;
import io.pier.cri.v1.ListPodSandboxResponse;
import io.pier.cri.v1.Namespace;
import io.pier.cri.v1.NamespaceMode;
import io.pier.cri.v1.NamespaceOption;
import io.pier.cri.v1.PodIP;
import io.pier.cri.v1.PodSandbox;
import io.pier.cri.v1.PodSandboxConfig;
import io.pier.cri.v1.PodSandboxFilter;
import io.pier.cri.v1.PodSandboxMetadata;
import io.pier.cri.v1.PodSandboxNetworkStatus;
import io.pier.cri.v1.PodSandboxState;
import io.pier.cri.v1.PodSandboxStatus;
import io.pier.cri.v1.PodSandboxStatusRequest;
import io.pier.cri.v1.PodSandboxStatusResponse;
import io.pier.cri.v1.RemovePodSandboxRequest;
import io.pier.cri.v1.RemovePodSandboxResponse;
import io.pier.cri.v1.RunPodSandboxRequest;
import io.pier.cri.v1.RunPodSandboxResponse;
import io.pier.cri.v1.StopPodSandboxRequest;
import io.pier.cri.v1.StopPodSandboxResponse;
import io.pier.network.PortMapping;
import io.pier.sandbox.PodSpec;
import io.pier.sandbox.Sandbox;
import io.pier.sandbox.SandboxManager;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/** The pod sandbox verbs of the RuntimeService: translate, call the manager, translate back. */
@ApplicationScoped
public class PodSandboxHandler {

  private static final Logger LOG = Logger.getLogger(PodSandboxHandler.class);

  private final SandboxManager sandboxes;
  private final ContainerManager containers;
  private final ObjectMapper json;

  PodSandboxHandler(SandboxManager sandboxes, ContainerManager containers, ObjectMapper json) {
    this.containers = containers;
    this.sandboxes = sandboxes;
    this.json = json;
  }

  RunPodSandboxResponse run(RunPodSandboxRequest request) {
    PodSandboxMetadata meta = request.getConfig().getMetadata();
    LOG.infof("RunPodSandbox %s/%s attempt %d", meta.getNamespace(), meta.getName(),
        meta.getAttempt());
    Sandbox sandbox = sandboxes.run(spec(request.getConfig(), request.getRuntimeHandler()));
    return RunPodSandboxResponse.newBuilder().setPodSandboxId(sandbox.id()).build();
  }

  StopPodSandboxResponse stop(StopPodSandboxRequest request) {
    LOG.infof("StopPodSandbox %s", request.getPodSandboxId());
    sandboxes.find(request.getPodSandboxId()).ifPresent(sandbox -> {
      containers.stopPodContainers(sandbox.id(), 0);
      sandboxes.stop(sandbox.id());
    });
    return StopPodSandboxResponse.getDefaultInstance();
  }

  RemovePodSandboxResponse remove(RemovePodSandboxRequest request) {
    LOG.infof("RemovePodSandbox %s", request.getPodSandboxId());
    sandboxes.find(request.getPodSandboxId()).ifPresent(sandbox -> {
      containers.removePodContainers(sandbox.id());
      sandboxes.remove(sandbox.id());
    });
    return RemovePodSandboxResponse.getDefaultInstance();
  }

  PodSandboxStatusResponse status(PodSandboxStatusRequest request) {
    Sandbox sandbox = sandboxes.get(request.getPodSandboxId());
    PodSandboxStatusResponse.Builder response = PodSandboxStatusResponse.newBuilder()
        .setStatus(status(sandbox))
        .setTimestamp(nowNanos());
    if (request.getVerbose()) {
      try {
        response.putInfo("info", json.writeValueAsString(sandbox));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("rendering pod " + sandbox.id() + " as JSON", e);
      }
    }
    return response.build();
  }

  ListPodSandboxResponse list(ListPodSandboxRequest request) {
    PodSandboxFilter filter = request.getFilter();
    ListPodSandboxResponse.Builder response = ListPodSandboxResponse.newBuilder();
    for (Sandbox sandbox : sandboxes.list()) {
      if (matches(sandbox, request.hasFilter() ? filter : null)) {
        response.addItems(PodSandbox.newBuilder()
            .setId(sandbox.id())
            .setMetadata(metadata(sandbox.spec()))
            .setState(state(sandbox))
            .setCreatedAt(sandbox.createdAtNanos())
            .putAllLabels(sandbox.spec().labels())
            .putAllAnnotations(sandbox.spec().annotations())
            .setRuntimeHandler(sandbox.spec().runtimeHandler()));
      }
    }
    return response.build();
  }

  private static boolean matches(Sandbox sandbox, PodSandboxFilter filter) {
    if (filter == null) {
      return true;
    }
    if (!filter.getId().isEmpty() && !sandbox.id().startsWith(filter.getId())) {
      return false;
    }
    if (filter.hasState() && filter.getState().getState() != state(sandbox)) {
      return false;
    }
    for (Map.Entry<String, String> label : filter.getLabelSelectorMap().entrySet()) {
      if (!label.getValue().equals(sandbox.spec().labels().get(label.getKey()))) {
        return false;
      }
    }
    return true;
  }

  static PodSandboxStatus status(Sandbox sandbox) {
    PodSandboxNetworkStatus.Builder network = PodSandboxNetworkStatus.newBuilder();
    if (!sandbox.ips().isEmpty()) {
      network.setIp(sandbox.ips().get(0));
      for (String ip : sandbox.ips().subList(1, sandbox.ips().size())) {
        network.addAdditionalIps(PodIP.newBuilder().setIp(ip));
      }
    }
    PodSpec spec = sandbox.spec();
    return PodSandboxStatus.newBuilder()
        .setId(sandbox.id())
        .setMetadata(metadata(spec))
        .setState(state(sandbox))
        .setCreatedAt(sandbox.createdAtNanos())
        .setNetwork(network)
        .setLinux(LinuxPodSandboxStatus.newBuilder().setNamespaces(Namespace.newBuilder()
            .setOptions(NamespaceOption.newBuilder()
                .setNetwork(spec.hostNetwork() ? NamespaceMode.NODE : NamespaceMode.POD)
                .setPid(spec.hostPid() ? NamespaceMode.NODE
                    : sandbox.hasInfraContainer() ? NamespaceMode.POD : NamespaceMode.CONTAINER)
                .setIpc(spec.hostIpc() ? NamespaceMode.NODE : NamespaceMode.POD))))
        .putAllLabels(spec.labels())
        .putAllAnnotations(spec.annotations())
        .setRuntimeHandler(spec.runtimeHandler())
        .build();
  }

  private static PodSandboxState state(Sandbox sandbox) {
    return sandbox.state() == Sandbox.State.READY
        ? PodSandboxState.SANDBOX_READY : PodSandboxState.SANDBOX_NOTREADY;
  }

  static PodSandboxMetadata metadata(PodSpec spec) {
    return PodSandboxMetadata.newBuilder()
        .setName(spec.name())
        .setUid(spec.uid())
        .setNamespace(spec.namespace())
        .setAttempt(spec.attempt())
        .build();
  }

  /** What kubelet asks of a pod, in Pier's terms; what Pier cannot do is refused. */
  static PodSpec spec(PodSandboxConfig config, String runtimeHandler) {
    DNSConfig dns = config.getDnsConfig();
    NamespaceOption ns = config.getLinux().getSecurityContext().getNamespaceOptions();
    if (ns.hasUsernsOptions() && ns.getUsernsOptions().getMode() != NamespaceMode.NODE) {
      // Limitation: user namespaces are not supported yet (Status does not announce them);
      // a pod asking for one is refused rather than run in the node's.
      throw new IllegalArgumentException("pod " + config.getMetadata().getName()
          + " asks for a user namespace (mode " + ns.getUsernsOptions().getMode()
          + "); Pier runs pods in the node's user namespace only");
    }
    List<PortMapping> ports = config.getPortMappingsList().stream()
        .map(p -> new PortMapping(p.getHostPort(), p.getContainerPort(),
            p.getProtocol().name().toLowerCase(), p.getHostIp()))
        .filter(p -> p.hostPort() > 0)
        .toList();
    return new PodSpec(
        config.getMetadata().getName(),
        config.getMetadata().getUid(),
        config.getMetadata().getNamespace(),
        config.getMetadata().getAttempt(),
        config.getHostname(),
        config.getLogDirectory(),
        new PodSpec.DnsConfig(List.copyOf(dns.getServersList()),
            List.copyOf(dns.getSearchesList()), List.copyOf(dns.getOptionsList())),
        ports,
        Map.copyOf(config.getLabelsMap()),
        Map.copyOf(config.getAnnotationsMap()),
        config.getLinux().getCgroupParent(),
        ns.getNetwork() == NamespaceMode.NODE,
        ns.getPid() == NamespaceMode.NODE,
        ns.getIpc() == NamespaceMode.NODE,
        ns.getPid() == NamespaceMode.POD,
        Map.copyOf(config.getLinux().getSysctlsMap()),
        runtimeHandler);
  }

  private static long nowNanos() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }
}
