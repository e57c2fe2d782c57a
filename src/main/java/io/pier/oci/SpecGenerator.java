package io.pier.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pier.config.PierConfig;
import io.pier.cri.v1.ContainerConfig;
import io.pier.cri.v1.Device;
import io.pier.cri.v1.HugepageLimit;
import io.pier.cri.v1.KeyValue;
import io.pier.cri.v1.LinuxContainerResources;
import io.pier.cri.v1.LinuxContainerSecurityContext;
import io.pier.cri.v1.NamespaceMode;
import io.pier.cri.v1.NamespaceOption;
import io.pier.cri.v1.SecurityProfile;
import io.pier.sandbox.NamespacePinner;
import io.pier.sandbox.PodNamespaces;
import io.pier.sandbox.PodSpec;
import io.pier.sandbox.Sandbox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Turns a CRI container configuration, its pod and its image config into an OCI runtime spec
 * ({@code config.json}) for runc, as containerd and cri-o build theirs.
 */
@ApplicationScoped
public class SpecGenerator {

  private static final Logger LOG = Logger.getLogger(SpecGenerator.class);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** The runtime-spec version written; runc 1.1 reads 1.0.x. */
  static final String OCI_VERSION = "1.0.2";

  /** The PATH a container gets when neither its image nor its config sets one. */
  static final String DEFAULT_PATH =
      "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  /** Paths hidden from an unprivileged container unless its security context says otherwise. */
  static final List<String> DEFAULT_MASKED_PATHS = List.of(
      "/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore", "/proc/keys",
      "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
      "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap");

  /** Paths read-only in an unprivileged container unless its security context says otherwise. */
  static final List<String> DEFAULT_READONLY_PATHS = List.of(
      "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

  private final HostFeatures host;
  private final boolean restrictOomScoreAdj;
  private final Function<String, PodNamespaces> pinnedNamespaces;

  @Inject
  SpecGenerator(PierConfig config, NamespacePinner pinner, OciRuntime runtime) {
    this(HostFeatures.detect(runtime), config.restrictOomScoreAdj(), pinner::namespacesOf);
  }

  /**
   * A generator for a given host.
   *
   * @param pinnedNamespaces where the pinned namespaces of a pod (by ID) are
   */
  SpecGenerator(HostFeatures host, boolean restrictOomScoreAdj,
      Function<String, PodNamespaces> pinnedNamespaces) {
    this.host = host;
    this.restrictOomScoreAdj = restrictOomScoreAdj;
    this.pinnedNamespaces = pinnedNamespaces;
  }

  /** The runtime spec as JSON, ready to write as {@code <bundle>/config.json}. */
  public ObjectNode generate(SpecInput input) {
    try {
      return build(input);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("container " + input.name() + ": " + e.getMessage(),
          e);
    }
  }

  private ObjectNode build(SpecInput in) {
    ContainerConfig config = in.config();
    LinuxContainerSecurityContext sc = config.getLinux().getSecurityContext();
    PodSpec pod = in.sandbox().spec();
    NamespaceOption nsOptions = sc.getNamespaceOptions();
    boolean privileged = sc.getPrivileged();
    boolean hostNetwork = pod.hostNetwork() || nsOptions.getNetwork() == NamespaceMode.NODE;
    boolean hostIpc = pod.hostIpc() || nsOptions.getIpc() == NamespaceMode.NODE;
    String hostname = hostNetwork ? hostHostname() : podHostname(in.sandbox());

    Set<String> caps = capabilities(in, sc, privileged);

    ObjectNode spec = NODES.objectNode();
    spec.put("ociVersion", OCI_VERSION);
    spec.set("process", process(in, sc, hostname, caps, privileged));
    ObjectNode root = spec.putObject("root");
    root.put("path", in.rootfs().toString());
    root.put("readonly", sc.getReadonlyRootfs());
    if (!hostNetwork) {
      spec.put("hostname", hostname);
    }
    ArrayNode mounts = spec.putArray("mounts");
    for (SpecMount m : SpecMount.forContainer(config.getMountsList(), in.sandbox(),
        in.terminationMessageHostFile(), privileged, sc.getReadonlyRootfs(),
        host.recursiveReadOnlyMounts())) {
      ObjectNode mount = mounts.addObject();
      mount.put("destination", m.destination());
      mount.put("type", m.type());
      mount.put("source", m.source());
      ArrayNode options = mount.putArray("options");
      m.options().forEach(options::add);
    }
    spec.set("annotations", annotations(in));

    ObjectNode linux = spec.putObject("linux");
    linux.set("namespaces", namespaces(in, nsOptions, hostNetwork, hostIpc));
    linux.put("cgroupsPath", in.cgroupsPath());
    List<DeviceNode> devices = devices(config, privileged);
    ArrayNode deviceArray = linux.putArray("devices");
    for (DeviceNode d : devices) {
      ObjectNode node = deviceArray.addObject();
      node.put("path", d.path());
      node.put("type", d.type());
      node.put("major", d.major());
      node.put("minor", d.minor());
      node.put("fileMode", d.fileMode());
      node.put("uid", d.uid());
      node.put("gid", d.gid());
    }
    linux.set("resources", resources(config, devices, privileged));
    SpecMount.rootfsPropagation(config.getMountsList())
        .ifPresent(p -> linux.put("rootfsPropagation", p));
    if (!privileged) {
      linux.set("maskedPaths", strings(sc.getMaskedPathsCount() > 0
          ? sc.getMaskedPathsList() : DEFAULT_MASKED_PATHS));
      linux.set("readonlyPaths", strings(sc.getReadonlyPathsCount() > 0
          ? sc.getReadonlyPathsList() : DEFAULT_READONLY_PATHS));
      SeccompProfiles.forContainer(sc, caps).ifPresent(s -> linux.set("seccomp", s));
    }
    ObjectNode sysctl = sysctls(in, hostNetwork, hostIpc);
    if (!sysctl.isEmpty()) {
      linux.set("sysctl", sysctl);
    }
    return spec;
  }

  private ObjectNode process(SpecInput in, LinuxContainerSecurityContext sc, String hostname,
      Set<String> caps, boolean privileged) {
    ContainerConfig config = in.config();
    JsonNode image = in.imageConfig();
    ObjectNode process = NODES.objectNode();
    process.put("terminal", config.getTty());

    ProcessUser user = ProcessUser.resolve(in.rootfs(), image.path("User").asText(""), sc);
    ObjectNode userNode = process.putObject("user");
    userNode.put("uid", user.uid());
    userNode.put("gid", user.gid());
    ArrayNode gids = userNode.putArray("additionalGids");
    user.additionalGids().forEach(gids::add);

    process.set("args", strings(args(config, image)));
    process.set("env", strings(env(config, image, hostname)));
    process.put("cwd", cwd(config, image));

    ObjectNode capabilities = process.putObject("capabilities");
    List<String> ambient = Capabilities.names(
        config.getLinux().getSecurityContext().getCapabilities()
            .getAddAmbientCapabilitiesList());
    Set<String> granted = new LinkedHashSet<>(caps);
    granted.addAll(ambient);
    for (String set : List.of("bounding", "effective", "permitted")) {
      capabilities.set(set, strings(List.copyOf(granted)));
    }
    if (!ambient.isEmpty()) {
      capabilities.set("inheritable", strings(ambient));
      capabilities.set("ambient", strings(ambient));
    }

    process.put("noNewPrivileges", sc.getNoNewPrivs());
    process.put("oomScoreAdj", oomScoreAdj(in));
    apparmorProfile(in, sc, privileged).ifPresent(p -> process.put("apparmorProfile", p));
    // No rlimits: the container inherits the node's, which runc cannot raise past the hard
    // limits on hosts without CAP_SYS_RESOURCE anyway.
    return process;
  }

  /**
   * The process's arguments by Kubernetes' rules: the config's command replaces the image's
   * entrypoint and drops its cmd; the config's args replace the cmd.
   */
  static List<String> args(ContainerConfig config, JsonNode image) {
    List<String> entrypoint = texts(image.path("Entrypoint"));
    List<String> cmd = texts(image.path("Cmd"));
    if (config.getCommandCount() > 0) {
      entrypoint = config.getCommandList();
      cmd = List.of();
    }
    if (config.getArgsCount() > 0) {
      cmd = config.getArgsList();
    }
    List<String> args = new ArrayList<>(entrypoint);
    args.addAll(cmd);
    if (args.isEmpty()) {
      throw new IllegalArgumentException("no command: neither the config nor the image has"
          + " an entrypoint, command or args");
    }
    return args;
  }

  /** The image's Env, overridden by the config's envs, with PATH and HOSTNAME defaulted. */
  static List<String> env(ContainerConfig config, JsonNode image, String hostname) {
    Map<String, String> env = new LinkedHashMap<>();
    for (String entry : texts(image.path("Env"))) {
      int eq = entry.indexOf('=');
      if (eq > 0) {
        env.put(entry.substring(0, eq), entry.substring(eq + 1));
      }
    }
    for (KeyValue kv : config.getEnvsList()) {
      if (!kv.getKey().isEmpty()) {
        env.put(kv.getKey(), kv.getValue().toStringUtf8());
      }
    }
    env.putIfAbsent("PATH", DEFAULT_PATH);
    env.putIfAbsent("HOSTNAME", hostname);
    List<String> list = new ArrayList<>();
    env.forEach((key, value) -> list.add(key + "=" + value));
    return list;
  }

  /** The working directory: the config's, else the image's, else {@code /}. */
  static String cwd(ContainerConfig config, JsonNode image) {
    String cwd = !config.getWorkingDir().isEmpty() ? config.getWorkingDir()
        : image.path("WorkingDir").asText("");
    if (cwd.isEmpty()) {
      return "/";
    }
    if (!cwd.startsWith("/")) {
      throw new IllegalArgumentException("working directory " + cwd + " is not absolute");
    }
    return cwd;
  }

  private Set<String> capabilities(SpecInput in, LinuxContainerSecurityContext sc,
      boolean privileged) {
    if (privileged) {
      return new LinkedHashSet<>(host.capabilities());
    }
    Set<String> caps = Capabilities.effective(sc.getCapabilities().getAddCapabilitiesList(),
        sc.getCapabilities().getDropCapabilitiesList());
    Set<String> missing = new LinkedHashSet<>(caps);
    missing.removeAll(host.capabilities());
    if (!missing.isEmpty()) {
      LOG.warnf("container %s: capabilities %s left out: the node does not grant them to"
          + " pierd", in.name(), missing);
      caps.removeAll(missing);
    }
    return caps;
  }

  private int oomScoreAdj(SpecInput in) {
    long asked = in.config().getLinux().getResources().getOomScoreAdj();
    if (asked < -1000 || asked > 1000) {
      throw new IllegalArgumentException("oom_score_adj " + asked
          + " is outside -1000..1000");
    }
    if (restrictOomScoreAdj && asked < host.oomScoreAdj()) {
      LOG.infof("container %s: oom_score_adj %d raised to pierd's own %d"
          + " (pier.restrict-oom-score-adj)", in.name(), asked, host.oomScoreAdj());
      return host.oomScoreAdj();
    }
    return (int) asked;
  }

  private Optional<String> apparmorProfile(SpecInput in, LinuxContainerSecurityContext sc,
      boolean privileged) {
    String profile;
    if (sc.hasApparmor()) {
      SecurityProfile p = sc.getApparmor();
      profile = switch (p.getProfileType()) {
        case Localhost -> p.getLocalhostRef();
        case Unconfined -> "unconfined";
        default -> "";
      };
    } else {
      String legacy = sc.getApparmorProfile();
      profile = legacy.startsWith("localhost/") ? legacy.substring("localhost/".length())
          : legacy.equals("unconfined") ? "unconfined" : "";
    }
    if (!host.apparmor()) {
      if (!profile.isEmpty()) {
        LOG.debugf("container %s: AppArmor profile %s ignored: AppArmor is not enabled on"
            + " this node", in.name(), profile);
      }
      return Optional.empty();
    }
    if (privileged || profile.isEmpty() || profile.equals("unconfined")) {
      // Limitation: RuntimeDefault runs without a profile: Pier loads no default profile.
      return Optional.empty();
    }
    return Optional.of(profile);
  }

  private ArrayNode namespaces(SpecInput in, NamespaceOption options, boolean hostNetwork,
      boolean hostIpc) {
    Sandbox sandbox = in.sandbox();
    PodNamespaces pinned = pinnedNamespaces.apply(sandbox.id());
    ArrayNode namespaces = NODES.arrayNode();
    NamespaceMode pidMode = sandbox.spec().hostPid() && options.getPid() == NamespaceMode.POD
        ? NamespaceMode.NODE : options.getPid();
    switch (pidMode) {
      case NODE -> { }
      case CONTAINER -> namespace(namespaces, "pid", Optional.empty());
      case TARGET -> namespace(namespaces, "pid", Optional.of(in.targetPidNamespace()
          .orElseThrow(() -> new IllegalArgumentException("PID namespace target "
              + options.getTargetId() + " is not running"))));
      default -> {
        if (in.podPidNamespace().isEmpty() && sandbox.spec().sharedPid()) {
          LOG.warnf("container %s: pod %s has no shared PID namespace; the container gets its"
              + " own", in.name(), sandbox.id());
        }
        namespace(namespaces, "pid", in.podPidNamespace());
      }
    }
    if (!hostNetwork) {
      namespace(namespaces, "network", sandbox.netns().isEmpty()
          ? Optional.empty() : Optional.of(Path.of(sandbox.netns())));
    }
    if (!hostIpc) {
      namespace(namespaces, "ipc", Optional.of(pinned.ipc()));
    }
    if (!hostNetwork) {
      namespace(namespaces, "uts", Optional.of(pinned.uts()));
    }
    namespace(namespaces, "mount", Optional.empty());
    if (host.unifiedCgroup()) {
      namespace(namespaces, "cgroup", Optional.empty());
    }
    return namespaces;
  }

  private static void namespace(ArrayNode namespaces, String type, Optional<Path> path) {
    ObjectNode ns = namespaces.addObject();
    ns.put("type", type);
    path.ifPresent(p -> ns.put("path", p.toString()));
  }

  private static List<DeviceNode> devices(ContainerConfig config, boolean privileged) {
    List<DeviceNode> nodes = new ArrayList<>(privileged ? DeviceNode.hostDevices() : List.of());
    for (Device device : config.getDevicesList()) {
      String containerPath = device.getContainerPath().isEmpty() ? device.getHostPath()
          : SpecMount.clean(device.getContainerPath());
      for (DeviceNode node : DeviceNode.of(Path.of(device.getHostPath()), containerPath)) {
        nodes.removeIf(n -> n.path().equals(node.path()));
        nodes.add(node);
      }
    }
    return nodes;
  }

  private ObjectNode resources(ContainerConfig config, List<DeviceNode> devices,
      boolean privileged) {
    LinuxContainerResources r = config.getLinux().getResources();
    ObjectNode resources = NODES.objectNode();

    ArrayNode rules = resources.putArray("devices");
    if (privileged) {
      deviceRule(rules, true, null, -1, -1, "rwm");
    } else {
      deviceRule(rules, false, null, -1, -1, "rwm");
      Map<String, String> access = new LinkedHashMap<>();
      for (Device device : config.getDevicesList()) {
        String permissions = device.getPermissions().isEmpty() ? "rwm"
            : device.getPermissions();
        if (!permissions.matches("[rwm]+")) {
          throw new IllegalArgumentException("device " + device.getHostPath()
              + " has permissions '" + permissions + "'; expected letters of rwm");
        }
        for (DeviceNode node : DeviceNode.of(Path.of(device.getHostPath()),
            device.getContainerPath().isEmpty() ? device.getHostPath()
                : SpecMount.clean(device.getContainerPath()))) {
          access.put(node.path(), permissions);
        }
      }
      for (DeviceNode node : devices) {
        deviceRule(rules, true, node.type(), node.major(), node.minor(),
            access.getOrDefault(node.path(), "rwm"));
      }
    }

    resources.setAll(limits(r));
    return resources;
  }

  /**
   * The OCI {@code linux.resources} document that {@code runc update} applies for new CRI
   * limits: the same CPU, memory, hugepage and unified settings a new container gets.
   */
  public ObjectNode resourceUpdate(LinuxContainerResources r) {
    return limits(r);
  }

  /** CPU, memory (swap as containerd sets it), hugepage and unified cgroup limits. */
  private ObjectNode limits(LinuxContainerResources r) {
    ObjectNode limits = NODES.objectNode();
    ObjectNode memory = NODES.objectNode();
    if (r.getMemoryLimitInBytes() > 0) {
      memory.put("limit", r.getMemoryLimitInBytes());
      if (host.swapAccounting()) {
        memory.put("swap", r.getMemorySwapLimitInBytes() > 0
            ? r.getMemorySwapLimitInBytes() : r.getMemoryLimitInBytes());
      }
    }
    if (!memory.isEmpty()) {
      limits.set("memory", memory);
    }

    ObjectNode cpu = NODES.objectNode();
    if (r.getCpuShares() > 0) {
      cpu.put("shares", r.getCpuShares());
    }
    // -1 lifts a quota set before.
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
      limits.set("cpu", cpu);
    }

    if (r.getHugepageLimitsCount() > 0) {
      ArrayNode hugepages = limits.putArray("hugepageLimits");
      for (HugepageLimit limit : r.getHugepageLimitsList()) {
        ObjectNode entry = hugepages.addObject();
        entry.put("pageSize", limit.getPageSize());
        entry.put("limit", limit.getLimit());
      }
    }
    if (r.getUnifiedCount() > 0) {
      if (host.unifiedCgroup()) {
        ObjectNode unified = limits.putObject("unified");
        r.getUnifiedMap().forEach(unified::put);
      } else {
        LOG.debugf("unified cgroup settings %s ignored: the node runs cgroup v1",
            r.getUnifiedMap().keySet());
      }
    }
    return limits;
  }

  private static void deviceRule(ArrayNode rules, boolean allow, String type, long major,
      long minor, String access) {
    ObjectNode rule = rules.addObject();
    rule.put("allow", allow);
    if (type != null) {
      rule.put("type", type);
      rule.put("major", major);
      rule.put("minor", minor);
    }
    rule.put("access", access);
  }

  /**
   * The pod's sysctls that a container's namespaces can hold: IPC ones unless the pod shares
   * the host's IPC namespace, network ones unless it shares the host's network.
   */
  private static ObjectNode sysctls(SpecInput in, boolean hostNetwork, boolean hostIpc) {
    Map<String, String> asked = in.sandboxConfig().getLinux().getSysctlsCount() > 0
        ? in.sandboxConfig().getLinux().getSysctlsMap() : in.sandbox().spec().sysctls();
    ObjectNode sysctl = NODES.objectNode();
    if (asked == null) {
      return sysctl;
    }
    asked.forEach((key, value) -> {
      boolean network = key.startsWith("net.");
      boolean ipc = key.startsWith("kernel.shm") || key.startsWith("kernel.msg")
          || key.equals("kernel.sem") || key.startsWith("fs.mqueue.");
      if ((network && !hostNetwork) || (ipc && !hostIpc)) {
        sysctl.put(key, value);
      } else if (!network && !ipc) {
        LOG.warnf("container %s: sysctl %s left out: it is not namespaced", in.name(), key);
      } else {
        LOG.debugf("container %s: sysctl %s left out: the pod uses the host's namespace",
            in.name(), key);
      }
    });
    return sysctl;
  }

  /** The CRI annotations, then those naming the container and its pod, as containerd's. */
  private static ObjectNode annotations(SpecInput in) {
    ObjectNode annotations = NODES.objectNode();
    in.config().getAnnotationsMap().forEach(annotations::put);
    PodSpec pod = in.sandbox().spec();
    annotations.put("io.kubernetes.cri.container-type", "container");
    annotations.put("io.kubernetes.cri.container-name", in.config().getMetadata().getName());
    annotations.put("io.kubernetes.cri.sandbox-id", in.sandbox().id());
    annotations.put("io.kubernetes.cri.sandbox-name", pod.name());
    annotations.put("io.kubernetes.cri.sandbox-namespace", pod.namespace());
    annotations.put("io.kubernetes.cri.sandbox-uid", pod.uid());
    annotations.put("io.kubernetes.cri.image-name", in.config().getImage().getImage());
    return annotations;
  }

  private static String podHostname(Sandbox sandbox) {
    if (sandbox.hostnamePath() != null && !sandbox.hostnamePath().isEmpty()) {
      try {
        String name = Files.readString(Path.of(sandbox.hostnamePath())).strip();
        if (!name.isEmpty()) {
          return name;
        }
      } catch (IOException e) {
        LOG.debugf("pod %s: reading %s: %s", sandbox.id(), sandbox.hostnamePath(),
            e.getMessage());
      }
    }
    PodSpec pod = sandbox.spec();
    return pod.hostname().isEmpty() ? pod.name() : pod.hostname();
  }

  private static String hostHostname() {
    try {
      return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
    } catch (IOException e) {
      return "localhost";
    }
  }

  private static List<String> texts(JsonNode array) {
    List<String> list = new ArrayList<>();
    if (array != null && array.isArray()) {
      array.forEach(item -> list.add(item.asText()));
    }
    return list;
  }

  private static ArrayNode strings(List<String> values) {
    ArrayNode array = NODES.arrayNode();
    values.forEach(array::add);
    return array;
  }
}
