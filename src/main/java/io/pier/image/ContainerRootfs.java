package io.pier.image;

import io.pier.state.StateDirectories;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Containers' root filesystems: an overlayfs mount at
 * {@code <root>/containers/<id>/overlay/merged} with the image's layers as lower dirs and a
 * per-container {@code upper} and {@code work} dir beside it. The layers a container uses are
 * written to {@code overlay/layers}, so removing its image keeps them until the container
 * goes.
 */
@ApplicationScoped
public class ContainerRootfs {

  private static final Logger LOG = Logger.getLogger(ContainerRootfs.class);
  private static final Pattern CONTAINER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

  /** {@code <root>/containers}. */
  private final Path containers;
  /** Where the image layers come from. */
  private final ImageStore images;

  /** A mounted container root filesystem and its writable directories. */
  public record Mount(String containerId, String imageId, Path rootfs, Path upper, Path work) {}

  @Inject
  ContainerRootfs(StateDirectories dirs, ImageStore images) {
    this(dirs.containerStore(), images);
  }

  /** Root filesystems under {@code containerStore}, layered over {@code images}. */
  public ContainerRootfs(Path containerStore, ImageStore images) {
    this.containers = containerStore;
    this.images = images;
  }

  /** The container's writable layer (the overlay's upper directory). */
  public Path upperDir(String containerId) {
    return overlayDir(containerId).resolve("upper");
  }

  /**
   * Mounts a container's root filesystem over the image {@code image} (ID or reference);
   * mounting an already mounted container returns its mount unchanged.
   */
  public Mount mount(String containerId, String image) {
    ImageRecord record = images.find(image).orElseThrow(() -> new ImageNotFoundException(
        "image " + image + " not found"));
    Path overlay = overlayDir(containerId);
    Path merged = overlay.resolve("merged");
    Path upper = overlay.resolve("upper");
    Path work = overlay.resolve("work");
    Mount mount = new Mount(containerId, record.id(), merged, upper, work);
    try {
      if (isMounted(merged)) {
        return mount;
      }
      Files.createDirectories(merged);
      Files.createDirectories(upper);
      Files.createDirectories(work);
      // Written before mounting, so image removal never takes a layer a mount may use.
      Files.write(overlay.resolve("layers"), record.chainIds());
      List<Path> lower = images.layerDirectories(record);
      if (lower.isEmpty()) {
        Path empty = Files.createDirectories(overlay.resolve("empty"));
        lower = List.of(empty);
      }
      // Limitation: the mount options must fit in a page (4 KiB), about 40 layers.
      String options = "lowerdir=" + lower.stream().map(Path::toString)
          .collect(Collectors.joining(":")) + ",upperdir=" + upper + ",workdir=" + work;
      Native.mountOverlay(merged, options);
    } catch (IOException e) {
      throw new ImageException("mounting root filesystem of container " + containerId
          + " over image " + record.id() + ": " + e.getMessage(), e);
    }
    LOG.infof("mounted rootfs of container %s over image %s", containerId, record.id());
    return mount;
  }

  /** Unmounts a container's root filesystem; an unmounted one is left as it is. */
  public void unmount(String containerId) {
    Path merged = overlayDir(containerId).resolve("merged");
    try {
      if (isMounted(merged)) {
        Native.unmount(merged);
        LOG.infof("unmounted rootfs of container %s", containerId);
      }
    } catch (IOException e) {
      throw new ImageException("unmounting root filesystem of container " + containerId
          + ": " + e.getMessage(), e);
    }
  }

  /** Unmounts and deletes a container's root filesystem with its writable layer. */
  public void remove(String containerId) {
    unmount(containerId);
    Path overlay = overlayDir(containerId);
    try {
      LayerUnpacker.delete(overlay);
      // The container's directory goes too once nothing else of it is there (the infra
      // container keeps nothing else in it).
      Files.deleteIfExists(overlay.getParent());
    } catch (DirectoryNotEmptyException e) {
      LOG.debugf("container %s: %s still holds other files", containerId, e.getFile());
    } catch (IOException e) {
      throw new ImageException("removing root filesystem of container " + containerId
          + ": " + e.getMessage(), e);
    }
  }

  /** Whether something is mounted exactly at {@code dir}. */
  static boolean isMounted(Path dir) throws IOException {
    String wanted = dir.toAbsolutePath().normalize().toString();
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      String[] fields = line.split(" ");
      if (fields.length > 4 && unescape(fields[4]).equals(wanted)) {
        return true;
      }
    }
    return false;
  }

  /** The chain IDs that some container's root filesystem under {@code containers} uses. */
  static Set<String> layersInUse(Path containers) {
    Set<String> used = new HashSet<>();
    if (!Files.isDirectory(containers)) {
      return used;
    }
    try (Stream<Path> list = Files.list(containers)) {
      for (Path c : list.toList()) {
        Path file = c.resolve("overlay").resolve("layers");
        if (Files.isRegularFile(file)) {
          used.addAll(Files.readAllLines(file));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading layers in use under " + containers, e);
    }
    return used;
  }

  private Path overlayDir(String containerId) {
    if (!CONTAINER_ID.matcher(containerId).matches()) {
      throw new ImageException("invalid container ID \"" + containerId + "\"");
    }
    return containers.toAbsolutePath().resolve(containerId).resolve("overlay");
  }

  private static String unescape(String field) {
    return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n")
        .replace("\\134", "\\");
  }
}
