package io.pier.cgroup;

import io.pier.state.StateDirectories;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Places containers in cgroups under their pod's parent, reads what the cgroups use, and
 * removes the pod parents Pier made. The OCI runtime creates and removes the container
 * cgroups themselves.
 */
@ApplicationScoped
public class Cgroups {

  private static final Logger LOG = Logger.getLogger(Cgroups.class);

  /** Prefix of container cgroups (cgroupfs) and scopes (systemd). */
  static final String PREFIX = "pier";
  /** Parent of containers whose pod names none, with the cgroupfs driver. */
  static final String DEFAULT_PARENT = "/pier";
  /** Parent of containers whose pod names none, with the systemd driver. */
  static final String DEFAULT_SLICE = "system.slice";

  private static final int REMOVE_ATTEMPTS = 5;

  /** The manager containers are placed with. */
  private final CgroupDriver.Kind driver;
  /** Where the cgroup trees are mounted. */
  private final CgroupHierarchy hierarchy;
  /** One file per pod parent Pier made: the directories it created, one per line. */
  private final Path records;

  @Inject
  Cgroups(CgroupDriver driver, StateDirectories dirs) {
    this(driver.kind(), CgroupHierarchy.ofHost(), dirs.runRoot().resolve("cgroups"));
  }

  Cgroups(CgroupDriver.Kind driver, CgroupHierarchy hierarchy, Path records) {
    this.driver = driver;
    this.hierarchy = hierarchy;
    this.records = records;
  }

  /**
   * The OCI {@code linux.cgroupsPath} of a container of a pod whose CRI cgroup parent is
   * {@code podParent} (empty: Pier's default parent). cgroupfs: {@code <parent>/pier-<id>};
   * systemd: {@code <slice>:pier:<id>}, which runc turns into the scope
   * {@code pier-<id>.scope} in that slice.
   */
  public String containerCgroupsPath(String podParent, String containerId) {
    if (containerId.isBlank() || containerId.contains("/") || containerId.contains(":")) {
      throw new IllegalArgumentException("container ID \"" + containerId
          + "\" cannot name a cgroup");
    }
    if (driver == CgroupDriver.Kind.SYSTEMD) {
      String slice = podParent.isBlank() ? DEFAULT_SLICE : SystemdSlice.fromParent(podParent);
      return slice + ":" + PREFIX + ":" + containerId;
    }
    String parent = parentPath(podParent);
    return (parent.equals("/") ? "" : parent) + "/" + PREFIX + "-" + containerId;
  }

  /**
   * Where a cgroups path lives on the host, whether or not it exists: under the v1 hierarchy
   * of {@code controller}, or in the unified tree on a v2 host. Empty when the controller is
   * not mounted.
   */
  public Optional<Path> hostPath(String cgroupsPath, String controller) {
    String relative = relativePath(cgroupsPath);
    return hierarchy.root(controller).map(root -> hostDir(root, relative));
  }

  /** CPU and memory use of a container's cgroup; empty when the cgroup is gone. */
  public Optional<CgroupUsage> usage(String cgroupsPath) {
    return read(relativePath(cgroupsPath));
  }

  /**
   * CPU and memory use of a pod: its parent cgroup, which holds all its containers; with no
   * parent (Pier's default parent is shared by pods) the sum of the given container cgroups.
   * Empty when none of them exists.
   */
  public Optional<CgroupUsage> podUsage(String podParent, List<String> containerCgroupsPaths) {
    if (!podParent.isBlank()) {
      return read(parentPath(podParent));
    }
    long now = nowNanos();
    return containerCgroupsPaths.stream()
        .map(this::usage)
        .flatMap(Optional::stream)
        .reduce((a, b) -> a.plus(b, now));
  }

  /** How often the kernel's OOM killer struck in a container's cgroup; 0 when it is gone. */
  public long oomKills(String cgroupsPath) {
    String relative = relativePath(cgroupsPath);
    if (hierarchy.isUnified()) {
      return UsageReader.v2OomKills(hostDir(hierarchy.roots().getFirst(), relative));
    }
    return hierarchy.root("memory")
        .map(root -> UsageReader.v1OomKills(hostDir(root, relative)))
        .orElse(0L);
  }

  /**
   * Creates the directories of a pod's cgroup parent that do not exist yet, in every mounted
   * hierarchy, and remembers them so that {@link #removePodParent} removes exactly those:
   * never a parent kubelet made. runc would create missing parents itself, but would leave
   * them behind after the last container is deleted.
   */
  public synchronized void ensurePodParent(String podParent) {
    if (podParent.isBlank()) {
      return;
    }
    if (driver == CgroupDriver.Kind.SYSTEMD) {
      // Limitation: with the systemd driver a missing slice is created by systemd when runc
      // starts the first scope in it, and Pier neither records nor stops it.
      return;
    }
    String parent = parentPath(podParent);
    List<Path> missing = new ArrayList<>();
    for (Path root : hierarchy.roots()) {
      Path dir = root;
      for (String component : components(parent)) {
        dir = dir.resolve(component);
        if (!Files.isDirectory(dir)) {
          missing.add(dir);
        }
      }
    }
    if (missing.isEmpty()) {
      LOG.debugf("pod cgroup parent %s exists; not Pier's to remove", podParent);
      return;
    }
    Set<Path> created = new LinkedHashSet<>(recorded(podParent));
    created.addAll(missing);
    writeRecord(podParent, created);
    for (Path dir : missing) {
      create(dir);
    }
    LOG.infof("pod cgroup parent %s created (%d directories)", podParent, missing.size());
  }

  /**
   * Removes the directories {@link #ensurePodParent} created for a pod parent, deepest first;
   * a parent Pier did not create is left alone. Directories still in use are kept and retried
   * on the next call.
   */
  public synchronized void removePodParent(String podParent) {
    if (podParent.isBlank()) {
      return;
    }
    List<Path> created = recorded(podParent);
    if (created.isEmpty()) {
      return;
    }
    List<Path> deepestFirst = new ArrayList<>(created);
    deepestFirst.sort(Comparator.comparingInt(Path::getNameCount).reversed());
    Set<Path> kept = new LinkedHashSet<>();
    for (Path dir : deepestFirst) {
      if (!removeDir(dir)) {
        kept.add(dir);
      }
    }
    if (kept.isEmpty()) {
      deleteRecord(podParent);
      LOG.infof("pod cgroup parent %s removed", podParent);
    } else {
      writeRecord(podParent, created.stream().filter(kept::contains).toList());
      LOG.warnf("pod cgroup parent %s: %d directories still in use, kept (first: %s)",
          podParent, kept.size(), kept.iterator().next());
    }
  }

  /**
   * The host directories of a pod parent that still exist: the parent in every hierarchy and
   * whatever Pier created for it. Empty for Pier's shared default parent.
   */
  public List<Path> leftovers(String podParent) {
    if (podParent.isBlank()) {
      return List.of();
    }
    Set<Path> candidates = new LinkedHashSet<>(recorded(podParent));
    String parent = parentPath(podParent);
    for (Path root : hierarchy.roots()) {
      candidates.add(hostDir(root, parent));
    }
    return candidates.stream().filter(Files::isDirectory).sorted().toList();
  }

  /** The cgroup path, from a hierarchy's root, of a pod parent; Pier's default when empty. */
  String parentPath(String podParent) {
    if (driver == CgroupDriver.Kind.SYSTEMD) {
      return SystemdSlice.expand(podParent.isBlank()
          ? DEFAULT_SLICE : SystemdSlice.fromParent(podParent));
    }
    if (podParent.isBlank()) {
      return DEFAULT_PARENT;
    }
    String trimmed = podParent.strip();
    // A bare slice name handed to the cgroupfs driver: use the directories systemd would.
    if (!trimmed.contains("/") && trimmed.endsWith(".slice")) {
      return SystemdSlice.expand(trimmed);
    }
    return normalize(trimmed);
  }

  /** The cgroup path, from a hierarchy's root, of an OCI cgroups path of either driver. */
  static String relativePath(String cgroupsPath) {
    if (cgroupsPath.contains(":")) {
      String[] parts = cgroupsPath.split(":", -1);
      if (parts.length != 3 || parts[1].isEmpty() || parts[2].isEmpty()) {
        throw new IllegalArgumentException("systemd cgroups path " + cgroupsPath
            + " is not slice:prefix:name");
      }
      String slice = SystemdSlice.expand(parts[0].isEmpty() ? SystemdSlice.ROOT : parts[0]);
      return (slice.equals("/") ? "" : slice) + "/" + parts[1] + "-" + parts[2] + ".scope";
    }
    return normalize(cgroupsPath);
  }

  private Optional<CgroupUsage> read(String relative) {
    long now = nowNanos();
    if (hierarchy.isUnified()) {
      return UsageReader.v2(hostDir(hierarchy.roots().getFirst(), relative), now);
    }
    Optional<Path> memory = hierarchy.root("memory");
    if (memory.isEmpty()) {
      // Limitation: without a v1 memory hierarchy there is no usage to report.
      return Optional.empty();
    }
    return UsageReader.v1(hostDir(memory.get(), relative),
        hierarchy.root("cpuacct").map(root -> hostDir(root, relative)), now);
  }

  private void create(Path dir) {
    try {
      Files.createDirectory(dir);
    } catch (FileAlreadyExistsException e) {
      return;
    } catch (IOException e) {
      throw new UncheckedIOException("creating cgroup " + dir, e);
    }
    Path parent = dir.getParent();
    if (hierarchy.isCpusetRoot(rootOf(dir))) {
      // A new v1 cpuset cgroup starts with no CPUs and no memory nodes; no task could join.
      inheritCpuset(dir, parent, "cpuset.cpus");
      inheritCpuset(dir, parent, "cpuset.mems");
    } else if (hierarchy.isUnified()) {
      delegateControllers(parent);
    }
  }

  private Path rootOf(Path dir) {
    return hierarchy.roots().stream().filter(dir::startsWith).findFirst().orElse(dir);
  }

  private static void inheritCpuset(Path dir, Path parent, String file) {
    try {
      if (Files.readString(dir.resolve(file)).isBlank()) {
        Files.writeString(dir.resolve(file), Files.readString(parent.resolve(file)).strip());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("copying " + file + " from " + parent + " to " + dir, e);
    }
  }

  /** On v2 a child sees only the controllers its parent enables in cgroup.subtree_control. */
  private static void delegateControllers(Path parent) {
    try {
      String available = Files.readString(parent.resolve("cgroup.controllers")).strip();
      if (available.isEmpty()) {
        return;
      }
      StringBuilder enable = new StringBuilder();
      for (String controller : available.split("\\s+")) {
        enable.append(enable.isEmpty() ? "" : " ").append('+').append(controller);
      }
      Files.writeString(parent.resolve("cgroup.subtree_control"), enable);
    } catch (IOException e) {
      // The OCI runtime enables what the container needs itself; this only helps pod stats.
      LOG.debugf("enabling controllers below %s: %s", parent, e.getMessage());
    }
  }

  private static boolean removeDir(Path dir) {
    for (int attempt = 1; ; attempt++) {
      try {
        Files.deleteIfExists(dir);
        return true;
      } catch (FileSystemException e) {
        // EBUSY: a child cgroup or a task is still there, often for a moment only.
        if (attempt == REMOVE_ATTEMPTS) {
          LOG.debugf("removing cgroup %s: %s", dir, e.getMessage());
          return false;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("removing cgroup " + dir, e);
      }
      try {
        Thread.sleep(20L * attempt);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  private List<Path> recorded(String podParent) {
    try {
      return Files.readAllLines(recordFile(podParent)).stream()
          .filter(line -> !line.isBlank())
          .map(Path::of)
          .toList();
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new UncheckedIOException("reading the cgroup record of pod parent " + podParent, e);
    }
  }

  private void writeRecord(String podParent, Iterable<Path> dirs) {
    Path file = recordFile(podParent);
    try {
      Files.createDirectories(records);
      Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
      StringBuilder text = new StringBuilder();
      dirs.forEach(dir -> text.append(dir).append('\n'));
      Files.writeString(temporary, text);
      Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("recording the cgroups of pod parent " + podParent, e);
    }
  }

  private void deleteRecord(String podParent) {
    try {
      Files.deleteIfExists(recordFile(podParent));
    } catch (IOException e) {
      throw new UncheckedIOException("deleting the cgroup record of pod parent " + podParent, e);
    }
  }

  private Path recordFile(String podParent) {
    return records.resolve(URLEncoder.encode(podParent.strip(), StandardCharsets.UTF_8));
  }

  private static Path hostDir(Path root, String relative) {
    Path dir = root;
    for (String component : components(relative)) {
      dir = dir.resolve(component);
    }
    return dir;
  }

  private static List<String> components(String path) {
    return List.of(path.split("/")).stream().filter(c -> !c.isEmpty()).toList();
  }

  /** An absolute cgroup path without empty or '.' components; '..' is refused. */
  private static String normalize(String path) {
    List<String> parts = new ArrayList<>();
    for (String component : path.split("/")) {
      if (component.equals("..")) {
        throw new IllegalArgumentException("cgroup path " + path + " climbs out with '..'");
      }
      if (!component.isEmpty() && !component.equals(".")) {
        parts.add(component);
      }
    }
    return "/" + String.join("/", parts);
  }

  private static long nowNanos() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }
}
