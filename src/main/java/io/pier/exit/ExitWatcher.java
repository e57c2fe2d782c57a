package io.pier.exit;

import io.pier.state.StateDirectories;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Watches the exit directory and fires a {@link ContainerExit} for every exit file that
 * appears. On Linux the JDK's WatchService is backed by inotify; a monitor's rename into
 * place arrives as a create event. Exits that happened while pierd was down are found by
 * {@link #start()}'s first scan, which runs after the watch is armed so none slips between.
 */
@ApplicationScoped
public class ExitWatcher {

  private static final Logger LOG = Logger.getLogger(ExitWatcher.class);

  private final Path exitDir;
  private final Event<ContainerExit> exits;
  private final Set<String> reported = ConcurrentHashMap.newKeySet();
  private WatchService watcher;
  private Thread thread;

  ExitWatcher(StateDirectories dirs, Event<ContainerExit> exits) {
    this.exitDir = dirs.runRoot().resolve("exits");
    this.exits = exits;
  }

  /** The directory monitors are told to write exit files into ({@code --exit-dir}). */
  public Path exitDir() {
    return exitDir;
  }

  /** Arms the inotify watch, then reports exit files already present. */
  public synchronized void start() {
    if (thread != null) {
      return;
    }
    try {
      Files.createDirectories(exitDir);
      watcher = exitDir.getFileSystem().newWatchService();
      exitDir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE,
          StandardWatchEventKinds.ENTRY_MODIFY);
    } catch (IOException e) {
      throw new UncheckedIOException("watching exit directory " + exitDir, e);
    }
    thread = Thread.ofPlatform().daemon().name("exit-watcher").start(this::watch);
    try (DirectoryStream<Path> files = Files.newDirectoryStream(exitDir)) {
      files.forEach(this::report);
    } catch (IOException e) {
      throw new UncheckedIOException("scanning exit directory " + exitDir, e);
    }
    LOG.infof("watching %s for container exits", exitDir);
  }

  /** The exit recorded for a container, if its monitor has written one. */
  public Optional<ContainerExit> exitOf(String containerId) {
    return ExitFiles.read(exitDir.resolve(containerId));
  }

  /** Forgets a container's exit file once the container is removed, and deletes the file. */
  public void forget(String containerId) {
    reported.remove(containerId);
    try {
      Files.deleteIfExists(exitDir.resolve(containerId));
    } catch (IOException e) {
      LOG.warnf("could not remove exit file of %s: %s", containerId, e.getMessage());
    }
  }

  void stop(@Observes ShutdownEvent event) {
    if (watcher != null) {
      try {
        watcher.close();
      } catch (IOException e) {
        LOG.debugf("closing the exit watch: %s", e.getMessage());
      }
    }
  }

  private void watch() {
    try {
      while (true) {
        WatchKey key = watcher.take();
        for (WatchEvent<?> event : key.pollEvents()) {
          if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
            rescan();
          } else {
            report(exitDir.resolve((Path) event.context()));
          }
        }
        if (!key.reset()) {
          LOG.errorf("exit directory %s is gone; exits are no longer seen", exitDir);
          return;
        }
      }
    } catch (ClosedWatchServiceException | InterruptedException e) {
      LOG.debug("exit watcher stopped");
    }
  }

  private void rescan() {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(exitDir)) {
      files.forEach(this::report);
    } catch (IOException e) {
      LOG.errorf("rescanning %s after an inotify overflow: %s", exitDir, e.getMessage());
    }
  }

  private void report(Path file) {
    try {
      ExitFiles.read(file).ifPresent(exit -> {
        if (reported.add(exit.containerId())) {
          LOG.debugf("exit file of %s: code %d", exit.containerId(), exit.exitCode());
          exits.fire(exit);
        }
      });
    } catch (IllegalStateException e) {
      LOG.error(e.getMessage());
    }
  }
}
