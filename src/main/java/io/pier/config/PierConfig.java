package io.pier.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Every setting of pierd, read from {@code /etc/pier/config.yaml} (or {@code --config FILE})
 * and overridden by {@code PIER_*} environment variables.
 */
@ConfigMapping(prefix = "pier")
public interface PierConfig {

  /** The CRI gRPC socket kubelet connects to. */
  @WithDefault("/run/pier/pier.sock")
  Path socket();

  /** Persistent state: images, layers, pod and container records. */
  @WithDefault("/var/lib/pier")
  Path root();

  /** Runtime state that a reboot clears: exit files, monitor sockets, namespaces. */
  @WithDefault("/run/pier")
  Path runRoot();

  /** Loopback TCP port of the management interface (health and metrics). */
  @WithDefault("9465")
  int managementPort();

  /**
   * The per-container monitor: piermon, or conmon (same command line). When unset, the
   * installed {@code /usr/libexec/pier/piermon}, else the piermon beside the pierd launcher.
   */
  Optional<Path> monitor();

  /** The OCI runtime binary; a bare name is looked up in {@code PATH}. */
  @WithDefault("runc")
  String runtime();

  /** Which cgroup manager containers are placed with. */
  @WithDefault("auto")
  CgroupDriverSetting cgroupDriver();

  /** Directory holding CNI network configurations (.conflist, .conf, .json). */
  @WithDefault("/etc/cni/net.d")
  Path cniConfigDir();

  /** Directories searched for CNI plugin binaries, in order. */
  @WithDefault("/opt/cni/bin,/usr/lib/cni")
  List<Path> cniPluginDirs();

  /**
   * Registry mirrors as {@code prefix=host[:port][/path]} entries; a mirror is tried before
   * the registry it stands for.
   */
  Optional<List<String>> registryMirrors();

  /** Registries ({@code host[:port]}) reached over plain HTTP. */
  Optional<List<String>> insecureRegistries();

  /** Image of the infra container, used when a pod shares its PID namespace. */
  @WithDefault("registry.k8s.io/pause:3.10")
  String pauseImage();

  /** Address of the streaming server (exec, attach, port-forward); port 0 lets the OS pick. */
  @WithDefault("127.0.0.1:0")
  String streamAddress();

  /**
   * Whether a container's {@code oom_score_adj} below pierd's own is raised to pierd's own, as
   * containerd's {@code restrict_oom_score_adj}: lowering it needs CAP_SYS_RESOURCE.
   */
  @WithDefault("true")
  @WithConverter(StrictBoolean.class)
  boolean restrictOomScoreAdj();

  /** The cgroup manager setting: detect, or force one. */
  enum CgroupDriverSetting {
    /** systemd when systemd is PID 1, cgroupfs otherwise. */
    AUTO,
    /** systemd, when systemd is PID 1; cgroupfs with a warning otherwise. */
    SYSTEMD,
    /** Plain cgroupfs directories. */
    CGROUPFS
  }
}
