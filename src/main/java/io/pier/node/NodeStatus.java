package io.pier.node;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pier.BuildInfo;
import io.pier.cgroup.CgroupDriver;
import io.pier.config.PierConfig;
import io.pier.cri.v1.RuntimeCondition;
import io.pier.cri.v1.RuntimeFeatures;
import io.pier.cri.v1.RuntimeHandler;
import io.pier.cri.v1.RuntimeHandlerFeatures;
import io.pier.cri.v1.RuntimeStatus;
import io.pier.cri.v1.StatusResponse;
import io.pier.monitor.MonitorBinary;
import io.pier.network.CniNetworkConfig;
import io.pier.network.PodCidr;
import io.pier.oci.OciRuntime;
import io.pier.state.StateDirectories;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/** Whether this node can run pods: the RuntimeReady and NetworkReady conditions kubelet reads. */
@ApplicationScoped
public class NodeStatus {

  private static final Logger LOG = Logger.getLogger(NodeStatus.class);

  private final PierConfig config;
  private final OciRuntime runtime;
  private final MonitorBinary monitor;
  private final StateDirectories dirs;
  private final CniNetworkConfig cni;
  private final CgroupDriver cgroupDriver;
  private final PodCidr podCidr;
  private final ObjectMapper json;

  NodeStatus(PierConfig config, OciRuntime runtime, MonitorBinary monitor, StateDirectories dirs,
      CniNetworkConfig cni, CgroupDriver cgroupDriver, PodCidr podCidr, ObjectMapper json) {
    this.config = config;
    this.runtime = runtime;
    this.monitor = monitor;
    this.dirs = dirs;
    this.cni = cni;
    this.cgroupDriver = cgroupDriver;
    this.podCidr = podCidr;
    this.json = json;
  }

  /** Logs what this daemon runs with, once it serves, so the log starts the node's story. */
  void announce(@Observes StartupEvent event) {
    Optional<String> problem =
        runtime.problem().or(monitor::problem).or(dirs::problem).or(cni::problem);
    String setup = String.format("runtime=%s monitor=%s cgroup-driver=%s network=%s",
        runtime.binary().map(Path::toString).orElse(runtime.configured()), monitor.path(),
        cgroupDriver.kind().name().toLowerCase(),
        cni.defaultNetwork().map(CniNetworkConfig.Network::name).orElse("none"));
    if (problem.isEmpty()) {
      LOG.infof("pierd %s ready: %s", BuildInfo.version(), setup);
    } else {
      LOG.warnf("pierd %s started but not ready: %s (%s)", BuildInfo.version(),
          problem.get(), setup);
    }
  }

  /** The Status RPC's answer; {@code verbose} adds the effective configuration as JSON. */
  public StatusResponse status(boolean verbose) {
    Optional<String> runtimeProblem = runtime.problem().or(monitor::problem).or(dirs::problem);
    StatusResponse.Builder response = StatusResponse.newBuilder()
        .setStatus(RuntimeStatus.newBuilder()
            .addConditions(condition("RuntimeReady", "RuntimeNotReady", runtimeProblem))
            .addConditions(condition("NetworkReady", "NetworkPluginNotReady", cni.problem())))
        // Strict and Merge are both applied when the process user is resolved.
        .setFeatures(RuntimeFeatures.newBuilder().setSupplementalGroupsPolicy(true))
        // The default handler (""), the only one: the configured OCI runtime.
        .addRuntimeHandlers(RuntimeHandler.newBuilder().setName("")
            .setFeatures(RuntimeHandlerFeatures.newBuilder()
                .setRecursiveReadOnlyMounts(runtime.recursiveReadOnlyMounts())));
    if (verbose) {
      response.putInfo("config", effectiveConfigJson());
    }
    return response.build();
  }

  private static RuntimeCondition condition(String type, String notReadyReason,
      Optional<String> problem) {
    RuntimeCondition.Builder condition = RuntimeCondition.newBuilder()
        .setType(type)
        .setStatus(problem.isEmpty());
    problem.ifPresent(p -> condition.setReason(notReadyReason).setMessage(p));
    return condition.build();
  }

  private String effectiveConfigJson() {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("socket", config.socket().toAbsolutePath().toString());
    view.put("root", dirs.root().toString());
    view.put("runRoot", dirs.runRoot().toString());
    view.put("runtime", runtime.binary().map(Path::toString).orElse(runtime.configured()));
    view.put("monitor", monitor.path().toString());
    view.put("cgroupDriver", cgroupDriver.kind().name().toLowerCase());
    view.put("cniConfigDir", cni.configDir().toString());
    view.put("cniPluginDirs", cni.pluginDirs().stream().map(Path::toString).toList());
    view.put("cniNetwork", cni.defaultNetwork().map(n -> n.file().toString()).orElse(""));
    view.put("podCidr", podCidr.get().orElse(""));
    view.put("pauseImage", config.pauseImage());
    view.put("registryMirrors", config.registryMirrors().orElse(List.of()));
    view.put("insecureRegistries", config.insecureRegistries().orElse(List.of()));
    try {
      return json.writeValueAsString(view);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("rendering the configuration as JSON", e);
    }
  }
}
