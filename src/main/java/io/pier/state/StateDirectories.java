package io.pier.state;

import io.pier.PierStartupException;
import io.pier.config.ConfigChecks;
import io.pier.config.PierConfig;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The root and run-root directories pierd keeps its state in, locked for this daemon.
 *
 * <p>Made first at start-up (every bean that reads state reads its paths from here): settings
 * are checked and the locks taken before any record is read, so a refused daemon touches
 * nothing.
 */
@Startup(1)
@ApplicationScoped
public class StateDirectories {

  private static final Logger LOG = Logger.getLogger(StateDirectories.class);

  private final Path root;
  private final Path runRoot;
  private final DaemonLocks locks;

  StateDirectories(PierConfig config) {
    ConfigChecks.check(config);
    this.root = config.root().toAbsolutePath();
    this.runRoot = config.runRoot().toAbsolutePath();
    create(root, "pier.root");
    create(runRoot, "pier.run-root");
    create(imageStore(), "pier.root");
    create(containerStore(), "pier.root");
    this.locks = DaemonLocks.claim(runRoot, root, config.socket().toAbsolutePath());
    LOG.infof("state in %s, runtime state in %s", root, runRoot);
  }

  /** Lets another pierd use these directories once this one has stopped. */
  @PreDestroy
  void release() {
    locks.close();
  }

  /** Persistent state: survives restarts and reboots. */
  public Path root() {
    return root;
  }

  /** Runtime state: survives restarts of pierd, not reboots. */
  public Path runRoot() {
    return runRoot;
  }

  /** Where image blobs, layers and records are stored. */
  public Path imageStore() {
    return root.resolve("images");
  }

  /** Where containers' writable layers are stored. */
  public Path containerStore() {
    return root.resolve("containers");
  }

  /** Why the state directories cannot be used, or empty when both are writable. */
  public Optional<String> problem() {
    for (Path dir : new Path[] {root, runRoot}) {
      if (!Files.isDirectory(dir)) {
        return Optional.of(dir + " is missing");
      }
      if (!Files.isWritable(dir)) {
        return Optional.of(dir + " is not writable");
      }
    }
    return Optional.empty();
  }

  private static void create(Path dir, String key) {
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      }
    } catch (IOException e) {
      throw new PierStartupException(
          "cannot create " + key + " directory " + dir + ": " + e.getMessage(), e);
    }
  }
}
