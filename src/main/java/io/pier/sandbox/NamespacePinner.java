package io.pier.sandbox;

import io.pier.state.StateDirectories;
import io.pier.system.HostCommand;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Creates a pod's network, IPC and UTS namespaces and pins each to a file under the run root
 * with a bind mount, as cri-o does: no process has to stay alive to hold them.
 *
 * <p>util-linux's {@code unshare --net=FILE} does the create-and-bind in one short-lived
 * process; a JVM cannot unshare namespaces for a single task itself.
 */
@ApplicationScoped
public class NamespacePinner {

  private static final Logger LOG = Logger.getLogger(NamespacePinner.class);

  private final Path root;

  NamespacePinner(StateDirectories dirs) {
    this.root = dirs.runRoot().resolve("ns");
  }

  /** Where the namespaces of pod {@code podId} are pinned. */
  public PodNamespaces namespacesOf(String podId) {
    return PodNamespaces.under(root.resolve(podId));
  }

  /** Creates and pins new namespaces for a pod, with its hostname set in the UTS namespace. */
  public PodNamespaces pin(String podId, String hostname) {
    PodNamespaces ns = namespacesOf(podId);
    try {
      Files.createDirectories(ns.net().getParent());
      for (Path file : List.of(ns.net(), ns.ipc(), ns.uts())) {
        if (!Files.exists(file)) {
          Files.createFile(file);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("creating namespace files for pod " + podId, e);
    }
    HostCommand.Result result = HostCommand.of("unshare", "--net=" + ns.net(),
        "--ipc=" + ns.ipc(), "--uts=" + ns.uts(), "hostname", hostname).run();
    if (!result.succeeded()) {
      unpin(podId);
      throw new IllegalStateException("pinning namespaces of pod " + podId + ": "
          + result.explanation());
    }
    LOG.debugf("pod %s namespaces pinned under %s", podId, ns.net().getParent());
    return ns;
  }

  /** Unmounts and removes a pod's pinned namespaces; safe to repeat. */
  public void unpin(String podId) {
    PodNamespaces ns = namespacesOf(podId);
    List<String> failures = new ArrayList<>();
    for (Path file : List.of(ns.net(), ns.ipc(), ns.uts())) {
      if (isMountPoint(file)) {
        HostCommand.Result result = HostCommand.of("umount", file.toString()).run();
        if (!result.succeeded()) {
          failures.add(file + ": " + result.explanation());
          continue;
        }
      }
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        failures.add(file + ": " + e.getMessage());
      }
    }
    try {
      Files.deleteIfExists(ns.net().getParent());
    } catch (IOException e) {
      failures.add(ns.net().getParent() + ": " + e.getMessage());
    }
    if (!failures.isEmpty()) {
      throw new IllegalStateException("unpinning namespaces of pod " + podId + ": "
          + String.join("; ", failures));
    }
  }

  /** Whether a path is a mount point in pierd's mount namespace. */
  public static boolean isMountPoint(Path path) {
    try {
      String target = path.toAbsolutePath().toString();
      // mountinfo's fifth field is the mount point.
      return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
          .map(line -> line.split(" "))
          .anyMatch(fields -> fields.length > 4 && fields[4].equals(target));
    } catch (IOException e) {
      throw new UncheckedIOException("reading /proc/self/mountinfo", e);
    }
  }
}
