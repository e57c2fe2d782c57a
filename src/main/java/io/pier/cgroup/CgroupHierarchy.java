package io.pier.cgroup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where the cgroup file systems are mounted: one unified (v2) tree, or one v1 hierarchy per
 * controller group, possibly beside a v2 tree that holds no controllers (hybrid mode).
 */
public final class CgroupHierarchy {

  /** The default mount point of the cgroup file systems. */
  static final Path DEFAULT_MOUNT = Path.of("/sys/fs/cgroup");

  /** Root of the unified tree when the host is v2-only, else null. */
  private final Path unifiedRoot;
  /** v1 controller (or {@code name=...} hierarchy) to the mount point that holds it. */
  private final Map<String, Path> v1Roots;
  /** The controller-less v2 tree of a hybrid host, else null. */
  private final Path hybridRoot;

  private CgroupHierarchy(Path unifiedRoot, Map<String, Path> v1Roots, Path hybridRoot) {
    this.unifiedRoot = unifiedRoot;
    this.v1Roots = Map.copyOf(v1Roots);
    this.hybridRoot = hybridRoot;
  }

  /** A v2-only layout rooted at {@code root}. */
  public static CgroupHierarchy unified(Path root) {
    return new CgroupHierarchy(root, Map.of(), null);
  }

  /** A v1 layout: each controller at its mount point, plus an optional controller-less v2 tree. */
  public static CgroupHierarchy v1(Map<String, Path> roots, Optional<Path> hybrid) {
    return new CgroupHierarchy(null, roots, hybrid.orElse(null));
  }

  /** The layout of this host, read from {@code /proc/self/mountinfo}. */
  public static CgroupHierarchy ofHost() {
    try {
      return parse(Files.readAllLines(Path.of("/proc/self/mountinfo")), knownControllers());
    } catch (IOException e) {
      throw new UncheckedIOException("reading the cgroup mounts from /proc/self/mountinfo", e);
    }
  }

  /** The layout described by mountinfo lines; {@code controllers} are the kernel's names. */
  static CgroupHierarchy parse(List<String> mountinfo, Set<String> controllers) {
    Map<String, Path> v1 = new LinkedHashMap<>();
    Path unified = null;
    Path hybrid = null;
    for (String line : mountinfo) {
      // Fields: id parent dev root mountpoint options [optional...] - fstype source superoptions
      int separator = line.indexOf(" - ");
      if (separator < 0) {
        continue;
      }
      String[] head = line.substring(0, separator).split(" ");
      String[] tail = line.substring(separator + 3).split(" ");
      if (head.length < 5 || tail.length < 3) {
        continue;
      }
      Path mountPoint = Path.of(unescape(head[4]));
      if (tail[0].equals("cgroup2")) {
        if (mountPoint.equals(DEFAULT_MOUNT)) {
          unified = mountPoint;
        } else if (hybrid == null) {
          hybrid = mountPoint;
        }
      } else if (tail[0].equals("cgroup")) {
        for (String option : tail[2].split(",")) {
          if (controllers.contains(option) || option.startsWith("name=")) {
            v1.putIfAbsent(option, mountPoint);
          }
        }
      }
    }
    if (unified != null) {
      return unified(unified);
    }
    return v1(v1, Optional.ofNullable(hybrid));
  }

  /** Whether the host runs the unified (v2) hierarchy only. */
  public boolean isUnified() {
    return unifiedRoot != null;
  }

  /** The mount point that holds {@code controller}; the single tree on a v2 host. */
  public Optional<Path> root(String controller) {
    if (unifiedRoot != null) {
      return Optional.of(unifiedRoot);
    }
    return Optional.ofNullable(v1Roots.get(controller));
  }

  /** Every mounted tree a cgroup path is created in, each once. */
  public List<Path> roots() {
    if (unifiedRoot != null) {
      return List.of(unifiedRoot);
    }
    Set<Path> roots = new LinkedHashSet<>(v1Roots.values());
    if (hybridRoot != null) {
      roots.add(hybridRoot);
    }
    return new ArrayList<>(roots);
  }

  /** Whether {@code root} is the v1 hierarchy of the cpuset controller. */
  boolean isCpusetRoot(Path root) {
    return unifiedRoot == null && root.equals(v1Roots.get("cpuset"));
  }

  private static Set<String> knownControllers() throws IOException {
    Set<String> names = new HashSet<>();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cgroups"))) {
        if (!line.startsWith("#") && !line.isBlank()) {
          names.add(line.split("\\s+")[0]);
        }
      }
    } catch (NoSuchFileException e) {
      // A kernel without v1 support: only a unified tree can be mounted.
    }
    return names;
  }

  /** mountinfo escapes space, tab, newline and backslash as octal. */
  private static String unescape(String field) {
    if (field.indexOf('\\') < 0) {
      return field;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && i + 4 <= field.length()) {
        out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
