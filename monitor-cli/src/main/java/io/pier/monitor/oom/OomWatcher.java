package io.pier.monitor.oom;

import io.pier.monitor.exit.ExitFiles;
import io.pier.monitor.logging.MonitorLog;
import io.pier.monitor.nativeio.Libc;
import io.pier.monitor.nativeio.NativeException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Notices OOM kills in the container's memory cgroup (v1: an eventfd on memory.oom_control and
 * its oom_kill counter; v2: the oom_kill counter in memory.events) and leaves an empty
 * {@code oom} file in the persist directory and the bundle, where callers look for it.
 */
public final class OomWatcher {
  private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");

  /** The container's memory cgroup directory. */
  private final Path cgroup;
  /** Whether the host runs the unified (v2) hierarchy. */
  private final boolean unified;
  /** Where the oom marker goes. */
  private final List<Path> markerDirs;
  /** The oom_kill counter when watching began. */
  private final long killsAtStart;

  private OomWatcher(Path cgroup, boolean unified, List<Path> markerDirs) {
    this.cgroup = cgroup;
    this.unified = unified;
    this.markerDirs = markerDirs;
    this.killsAtStart = oomKills().orElse(0);
  }

  /**
   * Takes the cgroup's OOM kill count now, so later kills are told apart; empty when the
   * memory cgroup of {@code pid} cannot be found. {@link #listen} then waits for events.
   */
  public static Optional<OomWatcher> watch(int pid, List<Path> markerDirs) {
    boolean unified = Files.exists(CGROUP_ROOT.resolve("cgroup.controllers"));
    Optional<Path> cgroup = memoryCgroup(pid, unified);
    if (cgroup.isEmpty()) {
      MonitorLog.warn("no memory cgroup found for process " + pid + "; OOM kills go unnoticed");
      return Optional.empty();
    }
    return Optional.of(new OomWatcher(cgroup.get(), unified, markerDirs));
  }

  /** Listens for OOM events as they happen (cgroup v1; v2 is checked after the exit). */
  public void listen() {
    if (!unified) {
      listenV1();
    }
  }

  private static Optional<Path> memoryCgroup(int pid, boolean unified) {
    try {
      return memoryCgroup(Files.readAllLines(Path.of("/proc/" + pid + "/cgroup")), unified);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Finds the memory controller's directory in the lines of a /proc/PID/cgroup file. */
  static Optional<Path> memoryCgroup(List<String> lines, boolean unified) {
    for (String line : lines) {
      String[] parts = line.split(":", 3);
      if (parts.length != 3) {
        continue;
      }
      String rel = parts[2].startsWith("/") ? parts[2].substring(1) : parts[2];
      if (unified && parts[0].equals("0") && parts[1].isEmpty()) {
        return Optional.of(CGROUP_ROOT.resolve(rel));
      }
      if (!unified && List.of(parts[1].split(",")).contains("memory")) {
        return Optional.of(CGROUP_ROOT.resolve("memory").resolve(rel));
      }
    }
    return Optional.empty();
  }

  private void listenV1() {
    int efd = -1;
    int oomFd = -1;
    try {
      efd = Libc.eventfd();
      oomFd = Libc.open(cgroup.resolve("memory.oom_control").toString(),
          Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
      Files.writeString(cgroup.resolve("cgroup.event_control"), efd + " " + oomFd);
    } catch (IOException e) {
      MonitorLog.warn("cannot listen for OOM events in " + cgroup + ": " + e.getMessage());
      Libc.closeQuietly(efd);
      Libc.closeQuietly(oomFd);
      return;
    }
    int eventFd = efd;
    int controlFd = oomFd;
    Thread.ofPlatform().daemon().name("oom-v1").start(() -> {
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment count = arena.allocate(8);
        while (Libc.read(eventFd, count, 8) == 8) {
          long events = count.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0);
          // The eventfd also fires once when the cgroup is removed; that alone is no OOM.
          boolean removed = !Files.exists(cgroup.resolve("cgroup.event_control"));
          if (events > 1 || !removed) {
            mark();
          }
          if (removed) {
            break;
          }
        }
      } catch (NativeException e) {
        MonitorLog.debug("OOM eventfd: " + e.getMessage());
      } finally {
        Libc.closeQuietly(eventFd);
        Libc.closeQuietly(controlFd);
      }
    });
  }

  /** The cgroup's oom_kill counter, empty when the cgroup or the counter is gone. */
  private OptionalLong oomKills() {
    Path file = cgroup.resolve(unified ? "memory.events" : "memory.oom_control");
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
        if (line.startsWith("oom_kill ")) {
          return OptionalLong.of(Long.parseLong(line.substring(9).trim()));
        }
      }
    } catch (IOException | NumberFormatException e) {
      MonitorLog.debug("reading " + file + ": " + e.getMessage());
    }
    return OptionalLong.empty();
  }

  /** Checks the counter once more after the container exited; returns whether it was OOM. */
  public boolean checkAfterExit() {
    OptionalLong kills = oomKills();
    if (kills.isPresent() && kills.getAsLong() > killsAtStart) {
      mark();
      return true;
    }
    return markerDirs.stream().anyMatch(d -> Files.exists(d.resolve("oom")));
  }

  private synchronized void mark() {
    MonitorLog.info("OOM kill in " + cgroup);
    for (Path dir : markerDirs) {
      try {
        ExitFiles.touch(dir.resolve("oom"));
      } catch (IOException e) {
        MonitorLog.warn("writing the oom marker in " + dir + ": " + e.getMessage());
      }
    }
  }
}
