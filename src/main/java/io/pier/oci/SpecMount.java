package io.pier.oci;

import io.pier.cri.v1.Mount;
import io.pier.cri.v1.MountPropagation;
import io.pier.sandbox.Sandbox;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** One entry of a runtime spec's {@code mounts}, and how a container's list is made. */
record SpecMount(String destination, String type, String source, List<String> options) {

  /** Where the termination-message file appears when Pier binds it itself. */
  static final String TERMINATION_LOG = "/dev/termination-log";

  private static final List<String> BIND_DESTINATIONS_OF_POD_FILES = List.of(
      "/dev/shm", "/etc/resolv.conf", "/etc/hosts", "/etc/hostname");

  /**
   * The mounts of a container, parents before children: the kernel file systems every
   * container has, the pod's shared files, the termination-message file, and the CRI mounts,
   * which replace any of the others at the same destination.
   */
  static List<SpecMount> forContainer(List<Mount> criMounts, Sandbox sandbox,
      Optional<Path> terminationMessageHostFile, boolean privileged, boolean readonlyRootfs,
      boolean recursiveReadOnly) {
    Map<String, SpecMount> byDestination = new LinkedHashMap<>();
    for (SpecMount m : kernelFileSystems(privileged)) {
      byDestination.put(m.destination(), m);
    }
    String fileAccess = readonlyRootfs ? "ro" : "rw";
    List<String> podFiles = List.of(sandbox.shmPath(), sandbox.resolvConfPath(),
        sandbox.hostsPath(), sandbox.hostnamePath());
    for (int i = 0; i < podFiles.size(); i++) {
      String source = podFiles.get(i);
      if (source == null || source.isEmpty() || !Files.exists(Path.of(source))) {
        continue;
      }
      String destination = BIND_DESTINATIONS_OF_POD_FILES.get(i);
      // /dev/shm stays writable on a read-only root file system: it is the pod's, not the
      // image's.
      String access = destination.equals("/dev/shm") ? "rw" : fileAccess;
      byDestination.put(destination, bind(destination, source, "rprivate", access));
    }
    terminationMessageHostFile.ifPresent(file -> byDestination.put(TERMINATION_LOG,
        bind(TERMINATION_LOG, file.toString(), "rprivate", "rw")));

    Set<String> criDestinations = new HashSet<>();
    for (Mount m : criMounts) {
      SpecMount mount = fromCri(m, recursiveReadOnly);
      if (!criDestinations.add(mount.destination())) {
        throw new IllegalArgumentException("two mounts at " + mount.destination());
      }
      byDestination.put(mount.destination(), mount);
    }

    List<SpecMount> mounts = new ArrayList<>(byDestination.values());
    // A stable sort by depth puts every parent before its children and keeps the rest in
    // the order above.
    mounts.sort(Comparator.comparingInt(m -> depth(m.destination())));
    return mounts;
  }

  /**
   * The root file system's propagation: shared when a mount is bidirectional, slave when one
   * receives the host's mounts, otherwise runc's default.
   */
  static Optional<String> rootfsPropagation(List<Mount> criMounts) {
    boolean shared = criMounts.stream()
        .anyMatch(m -> m.getPropagation() == MountPropagation.PROPAGATION_BIDIRECTIONAL);
    boolean slave = criMounts.stream()
        .anyMatch(m -> m.getPropagation() == MountPropagation.PROPAGATION_HOST_TO_CONTAINER);
    return shared ? Optional.of("rshared") : slave ? Optional.of("rslave") : Optional.empty();
  }

  private static List<SpecMount> kernelFileSystems(boolean privileged) {
    String sysAccess = privileged ? "rw" : "ro";
    return List.of(
        new SpecMount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")),
        new SpecMount("/dev", "tmpfs", "tmpfs",
            List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
        new SpecMount("/dev/pts", "devpts", "devpts", List.of("nosuid", "noexec",
            "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
        new SpecMount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
        new SpecMount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", sysAccess)),
        new SpecMount("/sys/fs/cgroup", "cgroup", "cgroup",
            List.of("nosuid", "noexec", "nodev", "relatime", sysAccess)));
  }

  /**
   * A CRI mount as a bind mount.
   *
   * @param recursiveReadOnly whether the runtime can make a mount read-only recursively
   */
  private static SpecMount fromCri(Mount m, boolean recursiveReadOnly) {
    String destination = clean(m.getContainerPath());
    if (!destination.startsWith("/")) {
      throw new IllegalArgumentException("mount destination '" + m.getContainerPath()
          + "' is not an absolute path");
    }
    if (m.hasImage() && !m.getImage().getImage().isEmpty()) {
      // Limitation: image volumes (an image mounted as a volume) are not supported yet.
      throw new IllegalArgumentException("mount at " + destination + " names image "
          + m.getImage().getImage() + "; image volumes are not supported");
    }
    if (m.getRecursiveReadOnly()) {
      if (!recursiveReadOnly) {
        throw new IllegalArgumentException("mount at " + destination + " asks for a recursive"
            + " read-only mount, which the OCI runtime does not support (no rro mount option)");
      }
      // As kubelet and containerd: read-only all the way down needs the mount read-only and
      // nothing propagating into it from the host.
      if (!m.getReadonly()) {
        throw new IllegalArgumentException("mount at " + destination
            + " is recursive read-only but not read-only");
      }
      if (m.getPropagation() != MountPropagation.PROPAGATION_PRIVATE) {
        throw new IllegalArgumentException("mount at " + destination
            + " is recursive read-only, which needs private propagation, not "
            + m.getPropagation());
      }
    }
    if (m.getHostPath().isEmpty()) {
      throw new IllegalArgumentException("mount at " + destination + " has no host path");
    }
    Path source = Path.of(m.getHostPath());
    if (!Files.exists(source)) {
      throw new IllegalArgumentException("mount source " + m.getHostPath()
          + " does not exist");
    }
    try {
      source = source.toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException("resolving mount source " + m.getHostPath(), e);
    }
    String propagation = switch (m.getPropagation()) {
      case PROPAGATION_HOST_TO_CONTAINER -> "rslave";
      case PROPAGATION_BIDIRECTIONAL -> "rshared";
      default -> "rprivate";
    };
    // Limitation: SELinux relabeling and ID-mapped mounts are not done; both are ignored.
    SpecMount mount = bind(destination, source.toString(), propagation,
        m.getReadonly() ? "ro" : "rw");
    if (m.getRecursiveReadOnly()) {
      List<String> options = new ArrayList<>(mount.options());
      options.add("rro");
      return new SpecMount(destination, mount.type(), mount.source(), options);
    }
    return mount;
  }

  private static SpecMount bind(String destination, String source, String propagation,
      String access) {
    return new SpecMount(destination, "bind", source, List.of("rbind", propagation, access));
  }

  /** A path without doubled, trailing or {@code .} separators. */
  static String clean(String path) {
    if (path.isEmpty()) {
      return path;
    }
    String cleaned = Path.of(path).normalize().toString();
    return cleaned.isEmpty() ? "/" : cleaned;
  }

  private static int depth(String destination) {
    int depth = 0;
    for (String part : destination.split("/")) {
      if (!part.isEmpty()) {
        depth++;
      }
    }
    return depth;
  }
}
