package io.pier.monitor.testing;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One monitor (piermon or conmon) started the way cri-o and podman start it: sync and start
 * pipes as inherited descriptors named in the environment, the caller waiting for the process
 * it started to exit before reading the container's pid from the sync pipe.
 */
public final class MonitorRun implements AutoCloseable {
  private static final String EOF = "<eof>";

  /** Container ID, unique per run. */
  public final String cid;
  /** Scratch directory of this run. */
  public final Path work;
  /** The bundle. */
  public final Path bundle;
  /** The process the caller started (the launcher or conmon's parent). */
  private final Process parent;
  /** Lines read from the sync pipe, then EOF. */
  private final LinkedBlockingQueue<String> sync = new LinkedBlockingQueue<>();

  private MonitorRun(String cid, Path work, Path bundle, Process parent) {
    this.cid = cid;
    this.work = work;
    this.bundle = bundle;
    this.parent = parent;
  }

  /** A fresh container ID. */
  public static String newId() {
    return "pmt-" + UUID.randomUUID().toString().substring(0, 12);
  }

  /** Starts {@code monitor} for a create of {@code bundle}, with {@code extra} flags. */
  public static MonitorRun create(Path monitor, Path work, String cid, Path bundle,
      List<String> extra) throws IOException {
    List<String> args = new ArrayList<>(List.of("--api-version", "1", "-c", cid, "-u", cid,
        "-n", cid, "-r", Host.RUNC.toString(), "-b", bundle.toString(),
        "-p", work.resolve("ctr.pid").toString(), "-P", work.resolve("monitor.pid").toString(),
        "-l", "k8s-file:" + work.resolve("ctr.log"), "--exit-dir", work.resolve("exits").toString(),
        "-0", work.resolve("persist").toString(),
        "--socket-dir-path", work.resolve("sockets").toString()));
    args.addAll(extra);
    return start(monitor, work, cid, bundle, args);
  }

  /** Starts {@code monitor} to exec the process in {@code spec} in running container cid. */
  public static MonitorRun exec(Path monitor, Path work, String cid, Path spec,
      List<String> extra) throws IOException {
    List<String> args = new ArrayList<>(List.of("--api-version", "1", "-c", cid, "-u",
        cid + "-exec", "-r", Host.RUNC.toString(), "-e", "--exec-process-spec", spec.toString(),
        "-p", work.resolve("exec.pid").toString(), "-l", "k8s-file:" + work.resolve("exec.log"),
        "--exit-dir", work.resolve("exec-exits").toString(),
        "--socket-dir-path", work.resolve("sockets").toString()));
    args.addAll(extra);
    return start(monitor, work, cid, null, args);
  }

  private static MonitorRun start(Path monitor, Path work, String cid, Path bundle,
      List<String> monitorArgs) throws IOException {
    Files.createDirectories(work);
    for (String d : List.of("exits", "exec-exits", "persist", "sockets")) {
      Files.createDirectories(work.resolve(d));
    }
    Path syncFifo = work.resolve("sync.fifo");
    Path startFifo = work.resolve("start.fifo");
    mkfifo(syncFifo);
    mkfifo(startFifo);
    List<String> command = new ArrayList<>(List.of("/bin/sh", "-c",
        "s=$1; t=$2; shift 2; exec 3>\"$s\" 4<\"$t\"; exec \"$@\"", "sh",
        syncFifo.toString(), startFifo.toString(), monitor.toString()));
    command.addAll(monitorArgs);
    ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile())
        .redirectErrorStream(true).redirectOutput(work.resolve("parent.out").toFile());
    pb.environment().put("_OCI_SYNCPIPE", "3");
    pb.environment().put("_OCI_STARTPIPE", "4");
    pb.environment().put("PIER_JAVA", Path.of(System.getProperty("java.home"), "bin", "java")
        .toString());
    Process parent = pb.start();
    MonitorRun run = new MonitorRun(cid, work, bundle, parent);
    InputStream syncIn = new FileInputStream(syncFifo.toFile());
    try (FileOutputStream startOut = new FileOutputStream(startFifo.toFile())) {
      startOut.write(0);
    }
    Thread.ofPlatform().daemon().start(() -> run.readSync(syncIn));
    return run;
  }

  private static void mkfifo(Path path) throws IOException {
    try {
      Host.Result r = Host.run("mkfifo", path.toString());
      if (r.exitCode() != 0) {
        throw new IOException("mkfifo: " + r.output());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  private void readSync(InputStream in) {
    try (in) {
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = in.read()) >= 0) {
        if (c == '\n') {
          sync.add(line.toString());
          line.setLength(0);
        } else {
          line.append((char) c);
        }
      }
    } catch (IOException e) {
      // Treated as end of the pipe.
    }
    sync.add(EOF);
  }

  /** Waits for the started process to exit (the monitor detached) and returns its code. */
  public int parentExitCode() throws InterruptedException {
    if (!parent.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("the monitor's parent did not exit");
    }
    return parent.exitValue();
  }

  /** What the started process printed. */
  public String parentOutput() {
    try {
      return Files.readString(work.resolve("parent.out"));
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** The next sync-pipe message, or empty at end of pipe or after {@code millis}. */
  public Optional<String> nextSync(long millis) throws InterruptedException {
    String line = sync.poll(millis, TimeUnit.MILLISECONDS);
    if (line == null || line.equals(EOF)) {
      if (line != null) {
        sync.add(EOF);
      }
      return Optional.empty();
    }
    return Optional.of(line);
  }

  /** The container's CRI log. */
  public Path log() {
    return work.resolve("ctr.log");
  }

  /** The exit file in the exit directory. */
  public Path exitFile() {
    return work.resolve("exits").resolve(cid);
  }

  /** Waits for the exit file and returns its content. */
  public String awaitExitFile(Path file) throws IOException, InterruptedException {
    if (!Host.awaitFile(file, 30_000)) {
      throw new AssertionError("no exit file " + file);
    }
    return Files.readString(file);
  }

  /** The monitor's pid, from its pid file. */
  public long monitorPid() throws IOException {
    return Long.parseLong(Files.readString(work.resolve("monitor.pid")).trim());
  }

  /** Runs runc with {@code args} and returns its result. */
  public Host.Result runc(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Host.RUNC.toString());
    cmd.addAll(List.of(args));
    return Host.run(cmd);
  }

  /** Starts the created container. */
  public void startContainer() throws IOException, InterruptedException {
    Host.Result r = runc("start", cid);
    if (r.exitCode() != 0) {
      throw new AssertionError("runc start " + cid + ": " + r.output());
    }
  }

  /** Waits for the monitor to exit (it exits after writing the exit file). */
  public boolean awaitMonitorGone(long millis) throws IOException, InterruptedException {
    Path pidFile = work.resolve("monitor.pid");
    if (!Files.exists(pidFile)) {
      return true;
    }
    return Host.awaitGone(monitorPid(), millis);
  }

  /** Removes the container, stops the monitor if it still runs, deletes the scratch files. */
  @Override
  public void close() throws Exception {
    if (bundle != null) {
      runc("delete", "--force", cid);
    }
    Path pidFile = work.resolve("monitor.pid");
    if (Files.exists(pidFile)) {
      long pid = monitorPid();
      if (Host.alive(pid) && Files.readString(Path.of("/proc/" + pid + "/cmdline"))
          .contains(cid)) {
        Host.run("kill", "-KILL", Long.toString(pid));
        Host.awaitGone(pid, 5000);
      }
    }
    parent.destroyForcibly();
    try (Stream<Path> files = Files.walk(work)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** Reads a whole file as text. */
  public static String read(Path p) throws IOException {
    return Files.readString(p, StandardCharsets.UTF_8);
  }
}
