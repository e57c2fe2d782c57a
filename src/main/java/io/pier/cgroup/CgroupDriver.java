package io.pier.cgroup;

import io.pier.config.PierConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/** The cgroup manager in force: systemd when systemd runs the node, cgroupfs otherwise. */
@ApplicationScoped
public class CgroupDriver {

  /** The two managers kubelet knows. */
  public enum Kind { SYSTEMD, CGROUPFS }

  private static final Logger LOG = Logger.getLogger(CgroupDriver.class);

  private final Kind kind;

  CgroupDriver(PierConfig config) {
    boolean systemdIsInit = systemdIsInit();
    this.kind = switch (config.cgroupDriver()) {
      case CGROUPFS -> Kind.CGROUPFS;
      case AUTO -> systemdIsInit ? Kind.SYSTEMD : Kind.CGROUPFS;
      case SYSTEMD -> {
        if (!systemdIsInit) {
          LOG.warn("pier.cgroup-driver is systemd but systemd is not PID 1; using cgroupfs");
        }
        yield systemdIsInit ? Kind.SYSTEMD : Kind.CGROUPFS;
      }
    };
    LOG.infof("cgroup driver %s (configured %s)", kind.name().toLowerCase(),
        config.cgroupDriver().name().toLowerCase());
  }

  /** The driver containers are placed with. */
  public Kind kind() {
    return kind;
  }

  /** Whether the cgroup file system is the unified (v2) hierarchy. */
  public static boolean unifiedHierarchy() {
    return Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
  }

  private static boolean systemdIsInit() {
    try {
      return Files.readString(Path.of("/proc/1/comm")).strip().equals("systemd");
    } catch (IOException e) {
      return false;
    }
  }
}
