package io.pier.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.RuntimeJsonMappingException;
import io.pier.cgroup.CgroupDriver;
import io.pier.exit.ExitWatcher;
import io.pier.oci.OciRuntime;
import io.pier.oci.RuntimeClient;
import io.pier.state.StateDirectories;
import io.pier.system.HostCommand;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Spawns one monitor (piermon or conmon) per container with conmon's command line and
 * start-up protocol: the monitor reads {@code _OCI_STARTPIPE} before it runs the runtime,
 * reports the container's PID on {@code _OCI_SYNCPIPE}, and detaches, so the monitor, not
 * pierd, is the container's parent from then on.
 *
 * <p>Java cannot hand extra pipe descriptors to a child, so the two pipes are FIFOs in a
 * private directory, opened as descriptors 3 and 4 by {@code sh} just before it execs the
 * monitor; to the monitor they are the same as the pipes cri-o passes.
 */
@ApplicationScoped
public class MonitorLauncher {

  private static final Logger LOG = Logger.getLogger(MonitorLauncher.class);

  /** How long the monitor may take to report the container's PID. */
  private static final long SYNC_TIMEOUT_SECONDS = 60;
  /** How long a timed-out exec process may take to be gone once killed. */
  private static final long EXEC_KILL_SECONDS = 10;

  private final MonitorBinary monitor;
  private final OciRuntime runtime;
  private final RuntimeClient runtimeClient;
  private final ExitWatcher exitWatcher;
  private final CgroupDriver cgroupDriver;
  private final Path attachDir;
  private final Path pipeDir;
  private final ObjectMapper json;

  MonitorLauncher(MonitorBinary monitor, OciRuntime runtime, RuntimeClient runtimeClient,
      ExitWatcher exitWatcher, CgroupDriver cgroupDriver, StateDirectories dirs,
      ObjectMapper json) {
    this.monitor = monitor;
    this.runtime = runtime;
    this.runtimeClient = runtimeClient;
    this.exitWatcher = exitWatcher;
    this.cgroupDriver = cgroupDriver;
    this.attachDir = dirs.runRoot().resolve("attach");
    this.pipeDir = dirs.runRoot().resolve("monitor-pipes");
    this.json = json;
  }

  /** Where monitors create each container's attach socket and control fifo. */
  public Path attachDir() {
    return attachDir;
  }

  /** Spawns the container's monitor and waits until the runtime has created the container. */
  public MonitorStart create(MonitorRequest request) {
    return create(request, "container " + request.containerId());
  }

  /** As {@link #create(MonitorRequest)}, naming the container as {@code label} in errors. */
  public MonitorStart create(MonitorRequest request, String label) {
    return launch(label, request.containerId(), request.bundle(), arguments(request),
        (sync, process) -> {
      MonitorStart started = new MonitorStart(readPid(sync, label),
          monitorPid(request, process));
      LOG.debugf("container %s created by monitor %d, init pid %d", request.containerId(),
          started.monitorPid(), started.containerPid());
      return started;
    });
  }

  /**
   * Runs a process in a running container through the monitor's exec mode and waits for it
   * to end: the monitor kills it after {@code timeoutSeconds} (0: never) and writes its output
   * as a CRI log in {@code workDir}, which the caller owns.
   */
  public ExecResult exec(String containerId, Path processSpec, Path workDir, int timeoutSeconds) {
    Path log = workDir.resolve("exec.log");
    Path exits = workDir.resolve("exits");
    try {
      Files.createDirectories(exits);
    } catch (IOException e) {
      throw new UncheckedIOException("preparing exec in container " + containerId, e);
    }
    List<String> args = new ArrayList<>(List.of("--api-version", "1",
        "-c", containerId,
        "-u", containerId + "-" + workDir.getFileName(),
        "-r", runtimeBinary(),
        "--runtime-arg", "--root=" + runtimeClient.runtimeRoot(),
        "-e", "--exec-process-spec", processSpec.toString(),
        "-p", workDir.resolve("exec.pid").toString(),
        "-l", "k8s-file:" + log,
        "--exit-dir", exits.toString(),
        "--socket-dir-path", attachDir.toString(),
        "--log-level", "info"));
    if (timeoutSeconds > 0) {
      args.add("-T");
      args.add(Integer.toString(timeoutSeconds));
    }
    if (cgroupDriver.kind() == CgroupDriver.Kind.SYSTEMD) {
      args.add("-s");
    }
    String label = "exec " + workDir.getFileName() + " in container " + containerId;
    return launch(label, containerId + "-" + workDir.getFileName(), workDir, args,
        (sync, process) -> {
      int pid = readPid(sync, label);
      // A second message follows once the process ends (API version 1).
      if (!sync.hasNext()) {
        throw new MonitorException(label + ": the monitor closed its sync pipe before the"
            + " process ended");
      }
      JsonNode end = sync.next();
      int code = end.path("data").asInt(-1);
      String message = end.path("message").asText("");
      boolean timedOut = code < 0 && message.contains("timed out");
      if (code < 0 && !timedOut) {
        throw new MonitorException(label + ": "
            + (message.isEmpty() ? "the monitor reported " + end
                : RuntimeClient.errorMessage(message)));
      }
      if (timedOut) {
        awaitGone(pid, label);
      }
      return new ExecResult(code, CriLogReader.stream(log, "stdout"),
          CriLogReader.stream(log, "stderr"), timedOut);
    });
  }

  /**
   * Kills a timed-out exec process again and waits until it is reaped: conmon reports the
   * timeout as soon as it has sent SIGKILL, and until the process is gone it still shows in
   * the container, where the caller may look for it next.
   */
  private static void awaitGone(long pid, String label) {
    ProcessHandle.of(pid).ifPresent(process -> {
      process.destroyForcibly();
      try {
        process.onExit().get(EXEC_KILL_SECONDS, TimeUnit.SECONDS);
      } catch (TimeoutException | ExecutionException e) {
        LOG.warnf("%s: process %d still there %ds after it timed out", label, pid,
            EXEC_KILL_SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }

  /** Spawns a monitor with {@code args}, sends the start signal and reads its sync pipe. */
  private <T> T launch(String label, String pipeName, Path directory, List<String> args,
      SyncReader<T> reader) {
    Path pipes = privateDir(pipeName);
    try {
      Path syncFifo = mkfifo(pipes.resolve("sync"));
      Path startFifo = mkfifo(pipes.resolve("start"));
      Process process = spawn(directory, args, syncFifo, startFifo);
      try (InputStream sync = open(() -> new FileInputStream(syncFifo.toFile()), process);
           OutputStream start = open(() -> new FileOutputStream(startFifo.toFile()), process)) {
        start.write(0);
        start.close();
        awaitDetach(process, label);
        // One parser for every message: each may arrive in the same read as the next.
        try (MappingIterator<JsonNode> messages =
            json.readerFor(JsonNode.class).readValues(sync)) {
          return reader.read(messages, process);
        }
      }
    } catch (IOException | RuntimeJsonMappingException e) {
      throw new MonitorException(label + ": unreadable monitor sync pipe: " + e.getMessage());
    } finally {
      deleteQuietly(pipes);
    }
  }

  /** Reads what a detached monitor reports on its sync pipe. */
  @FunctionalInterface
  private interface SyncReader<T> {
    T read(MappingIterator<JsonNode> sync, Process process) throws IOException;
  }

  private Process spawn(Path directory, List<String> args, Path syncFifo, Path startFifo)
      throws IOException {
    List<String> argv = new ArrayList<>(List.of("sh", "-c",
        "exec \"$0\" \"$@\" 3>\"$PIER_SYNC_FIFO\" 4<\"$PIER_START_FIFO\""));
    argv.add(monitor.path().toString());
    argv.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(argv)
        .directory(directory.toFile())
        .redirectInput(new File("/dev/null"))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD);
    builder.environment().put("_OCI_SYNCPIPE", "3");
    builder.environment().put("_OCI_STARTPIPE", "4");
    builder.environment().put("PIER_SYNC_FIFO", syncFifo.toString());
    builder.environment().put("PIER_START_FIFO", startFifo.toString());
    return builder.start();
  }

  private String runtimeBinary() {
    return runtime.binary().map(Path::toString).orElse(runtime.configured());
  }

  /** conmon's command line, as cri-o passes it. */
  List<String> arguments(MonitorRequest request) {
    List<String> args = new ArrayList<>(List.of(
        "-b", request.bundle().toString(),
        "-c", request.containerId(),
        "-u", request.containerId(),
        "-n", request.name(),
        "-r", runtimeBinary(),
        "--runtime-arg", "--root=" + runtimeClient.runtimeRoot(),
        "--exit-dir", exitWatcher.exitDir().toString(),
        "-l", request.logPath().toString(),
        "--log-level", "info",
        "-P", request.persistDir().resolve("monitor.pid").toString(),
        "-p", request.bundle().resolve("pidfile").toString(),
        "--persist-dir", request.persistDir().toString(),
        "--socket-dir-path", attachDir.toString()));
    if (cgroupDriver.kind() == CgroupDriver.Kind.SYSTEMD) {
      args.add("-s");
    }
    if (request.logSizeMax() > 0) {
      args.add("--log-size-max");
      args.add(Long.toString(request.logSizeMax()));
    }
    if (request.terminal()) {
      args.add("-t");
    }
    if (request.stdin()) {
      args.add("-i");
      if (!request.stdinOnce()) {
        args.add("--leave-stdin-open");
      }
    }
    return args;
  }

  private void awaitDetach(Process process, String label) {
    try {
      if (!process.waitFor(SYNC_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new MonitorException("monitor of " + label + " did not detach within "
            + SYNC_TIMEOUT_SECONDS + "s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MonitorException("interrupted starting the monitor of " + label);
    }
    if (process.exitValue() != 0) {
      throw new MonitorException("monitor " + monitor.path() + " of " + label + " exited with "
          + process.exitValue());
    }
  }

  /** Reads the first sync message: the process's pid, or the runtime's error. */
  private static int readPid(MappingIterator<JsonNode> sync, String label) {
    if (!sync.hasNext()) {
      throw new MonitorException("monitor of " + label
          + " closed its sync pipe without reporting a pid");
    }
    JsonNode message = sync.next();
    // conmon's API version 0 names the field "pid", version 1 "data".
    int pid = message.has("pid") ? message.get("pid").asInt() : message.path("data").asInt(-1);
    if (pid <= 0) {
      String error = message.path("message").asText("");
      throw new MonitorException("creating " + label + ": "
          + (error.isEmpty() ? "the monitor reported " + message
              : RuntimeClient.errorMessage(error)));
    }
    return pid;
  }

  private static int monitorPid(MonitorRequest request, Process process) {
    try {
      return Integer.parseInt(
          Files.readString(request.persistDir().resolve("monitor.pid")).strip());
    } catch (IOException | NumberFormatException e) {
      return (int) process.pid();
    }
  }

  /** Opens one end of a FIFO, giving up if the monitor died before opening the other. */
  private static <T> T open(FifoOpener<T> opener, Process process) throws IOException {
    CompletableFuture<T> opening = CompletableFuture.supplyAsync(() -> {
      try {
        return opener.open();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    while (true) {
      try {
        return opening.get(100, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        if (!process.isAlive()) {
          throw new MonitorException("monitor exited with " + process.exitValue()
              + " before opening its pipes");
        }
      } catch (ExecutionException e) {
        throw new IOException(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted opening a monitor pipe", e);
      }
    }
  }

  /** Opens a FIFO end; blocks until the other end is opened. */
  @FunctionalInterface
  private interface FifoOpener<T> {
    T open() throws IOException;
  }

  private Path privateDir(String containerId) {
    try {
      Files.createDirectories(pipeDir);
      // Monitors need the exit and attach directories to exist before they start.
      Files.createDirectories(attachDir);
      Files.createDirectories(exitWatcher.exitDir());
      Path dir = pipeDir.resolve(containerId);
      deleteQuietly(dir);
      return Files.createDirectory(dir,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (IOException e) {
      throw new UncheckedIOException("creating monitor pipes of " + containerId, e);
    }
  }

  private static Path mkfifo(Path path) {
    HostCommand.Result made = HostCommand.of("mkfifo", "-m", "600", path.toString()).run();
    if (!made.succeeded()) {
      throw new MonitorException("mkfifo " + path + ": " + made.explanation());
    }
    return path;
  }

  private static void deleteQuietly(Path dir) {
    try {
      if (Files.isDirectory(dir)) {
        try (var files = Files.list(dir)) {
          for (Path f : files.toList()) {
            Files.deleteIfExists(f);
          }
        }
        Files.deleteIfExists(dir);
      }
    } catch (IOException e) {
      LOG.debugf("removing %s: %s", dir, e.getMessage());
    }
  }
}
