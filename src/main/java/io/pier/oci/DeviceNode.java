package io.pier.oci;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A device node to create in a container, read from the host's node: type, major and minor
 * numbers, mode and owner.
 *
 * @param path where the node appears in the container
 * @param type {@code c} for a character device, {@code b} for a block device
 */
record DeviceNode(String path, String type, long major, long minor, int fileMode, long uid,
    long gid) {

  private static final int S_IFMT = 0170000;
  private static final int S_IFCHR = 0020000;
  private static final int S_IFBLK = 0060000;

  /** /dev entries a privileged container does not get from the host: runc makes its own. */
  private static final Set<String> NOT_FROM_HOST = Set.of(
      "/dev/pts", "/dev/shm", "/dev/mqueue", "/dev/fd", "/dev/console", "/dev/ptmx");

  /**
   * The devices a CRI device entry names: the node at {@code hostPath}, or every node under it
   * when it is a directory (placed under {@code containerPath} alike).
   */
  static List<DeviceNode> of(Path hostPath, String containerPath) {
    if (!Files.exists(hostPath)) {
      throw new IllegalArgumentException("device " + hostPath + " does not exist");
    }
    if (!Files.isDirectory(hostPath)) {
      return List.of(read(hostPath, containerPath)
          .orElseThrow(() -> new IllegalArgumentException(hostPath + " is not a device")));
    }
    List<DeviceNode> nodes = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(hostPath)) {
      for (Path p : walk.sorted().toList()) {
        String inside = containerPath + "/" + hostPath.relativize(p);
        read(p, inside).ifPresent(nodes::add);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("listing devices under " + hostPath, e);
    }
    return nodes;
  }

  /** Every device node of the host's /dev, for a privileged container. */
  static List<DeviceNode> hostDevices() {
    List<DeviceNode> nodes = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(Path.of("/dev"))) {
      for (Path p : walk.sorted().toList()) {
        if (NOT_FROM_HOST.stream().noneMatch(skip -> p.startsWith(skip))
            && !Files.isSymbolicLink(p)) {
          read(p, p.toString()).ifPresent(nodes::add);
        }
      }
    } catch (IOException | UncheckedIOException e) {
      // /dev changes under us (a udev event); what was read so far is what the host has.
    }
    return nodes;
  }

  /** The node at {@code p}, or empty if it is not a character or block device. */
  private static Optional<DeviceNode> read(Path p, String containerPath) {
    try {
      int mode = (Integer) Files.getAttribute(p, "unix:mode");
      int format = mode & S_IFMT;
      if (format != S_IFCHR && format != S_IFBLK) {
        return Optional.empty();
      }
      long rdev = (Long) Files.getAttribute(p, "unix:rdev");
      long major = ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
      long minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
      return Optional.of(new DeviceNode(containerPath,
          format == S_IFCHR ? "c" : "b", major, minor, mode & 07777,
          ((Number) Files.getAttribute(p, "unix:uid")).longValue(),
          ((Number) Files.getAttribute(p, "unix:gid")).longValue()));
    } catch (IOException e) {
      throw new UncheckedIOException("reading device " + p, e);
    }
  }
}
