package io.pier.monitor.session;

import io.pier.monitor.attach.AttachServer;
import io.pier.monitor.control.ControlFifo;
import io.pier.monitor.exit.ExitCommand;
import io.pier.monitor.exit.ExitFiles;
import io.pier.monitor.exit.ExitStatus;
import io.pier.monitor.exit.Reaper;
import io.pier.monitor.logging.CriLogWriter;
import io.pier.monitor.logging.MonitorLog;
import io.pier.monitor.nativeio.Libc;
import io.pier.monitor.nativeio.NativeException;
import io.pier.monitor.oom.OomWatcher;
import io.pier.monitor.stdio.ConsoleSocket;
import io.pier.monitor.stdio.StdioPump;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One monitor run: starts the container (or exec process) through the runtime, reports its pid
 * to the caller, keeps its output in the CRI log, and records how it ended.
 */
public final class Monitor {
  /** Set by the launcher when it already consumed the first start-pipe message. */
  static final String START_READ_ENV = "PIERMON_START_PIPE_READ";
  /** Set by the launcher when this process runs detached and stdout is its handshake pipe. */
  static final String DETACHED_ENV = "PIERMON_DETACHED";
  /** The line that tells the launcher this process is set up and it may exit. */
  static final String READY_LINE = "piermon: detached";
  /** How long output may keep flowing after the process ended (e.g. from its orphans). */
  private static final long DRAIN_MILLIS = 2000;

  /** The run's configuration. */
  private final MonitorConfig config;
  /** Reaps the runtime, the container and their orphans. */
  private final Reaper reaper = new Reaper();
  /** Pid of the running runtime, or of the container once known, for signal forwarding. */
  private volatile int forwardTo = -1;
  /** Container stdin (pipe or terminal master), or -1. */
  private volatile int stdinFd = -1;
  /** Terminal master used for resizing, or -1. */
  private volatile int terminalFd = -1;
  /** The CRI log, if any. */
  private Optional<CriLogWriter> log = Optional.empty();
  /** Whether --timeout fired. */
  private volatile boolean timedOut;

  /** Makes a monitor for {@code config}. */
  public Monitor(MonitorConfig config) {
    this.config = config;
  }

  /** Runs the monitor to the end and returns the process exit code. */
  public int run() {
    MonitorLog.configure(config.logLevel(), config.syslog(), config.containerId());
    Optional<ParentPipe> sync;
    Optional<ParentPipe> start;
    Optional<ParentPipe> attachPipe = Optional.empty();
    String key = config.apiVersion1() ? "data" : config.exec() ? "exit_code" : "pid";
    try {
      sync = ParentPipe.fromEnv("_OCI_SYNCPIPE", key);
      start = ParentPipe.fromEnv("_OCI_STARTPIPE", "data");
      if (config.execAttach()) {
        attachPipe = ParentPipe.fromEnv("_OCI_ATTACHPIPE", "data");
        if (attachPipe.isEmpty()) {
          return usageFailure("--exec-attach given but _OCI_ATTACHPIPE is not set");
        }
      }
    } catch (IllegalArgumentException e) {
      return usageFailure(e.getMessage());
    }

    if (start.isPresent() && System.getenv(START_READ_ENV) == null) {
      // The caller moves us into a cgroup, then writes; children must start after that.
      start.get().awaitSignal();
    }
    if (start.isPresent() && !config.execAttach()) {
      start.get().close();
    }
    try {
      if (config.monitorPidFile().isPresent()) {
        Files.writeString(config.monitorPidFile().get(),
            Long.toString(ProcessHandle.current().pid()));
      }
    } catch (IOException e) {
      return usageFailure("writing the monitor pid file: " + e.getMessage());
    }
    detachFromCaller();
    // Limitation: unlike conmon, the monitor does not lower its own oom_score_adj.
    Libc.setsid();
    try {
      Libc.becomeChildSubreaper(true);
    } catch (NativeException e) {
      MonitorLog.error(e.getMessage());
      sync.ifPresent(p -> p.send(-1, "piermon: " + e.getMessage()));
      return 1;
    }
    forwardSignals();

    try {
      return monitor(sync.orElse(null), start.orElse(null), attachPipe.orElse(null));
    } catch (IOException | RuntimeException e) {
      MonitorLog.error("failed: " + e);
      sync.ifPresent(p -> p.send(-1, "piermon: " + e.getMessage()));
      return 1;
    }
  }

  private int usageFailure(String message) {
    System.err.println("piermon: " + message);
    return 1;
  }

  /** Tells the launcher we are set up, then lets go of the caller's stdio. */
  private static void detachFromCaller() {
    if (System.getenv(DETACHED_ENV) == null) {
      return;
    }
    System.out.println(READY_LINE);
    System.out.flush();
    try {
      int devNullR = Libc.open("/dev/null", Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
      int devNullW = Libc.open("/dev/null", Libc.O_WRONLY | Libc.O_CLOEXEC, 0);
      Libc.dup2(devNullR, 0);
      Libc.dup2(devNullW, 1);
      Libc.dup2(devNullW, 2);
      Libc.closeQuietly(devNullR);
      Libc.closeQuietly(devNullW);
    } catch (NativeException e) {
      MonitorLog.warn("detaching stdio: " + e.getMessage());
    }
  }

  private void forwardSignals() {
    // Stopping the monitor stops the container, as with conmon.
    // Limitation: SIGQUIT stays the JVM's (thread dumps) and is not forwarded.
    for (String name : List.of("TERM", "INT")) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
          int pid = forwardTo;
          if (pid > 0) {
            try {
              Libc.kill(pid, sig.getNumber());
            } catch (NativeException e) {
              MonitorLog.warn("forwarding SIG" + name + ": " + e.getMessage());
            }
          }
        });
      } catch (IllegalArgumentException e) {
        MonitorLog.debug("cannot forward SIG" + name + ": " + e.getMessage());
      }
    }
  }

  private int monitor(ParentPipe sync, ParentPipe start, ParentPipe attachPipe)
      throws IOException {
    int devNullR = Libc.open("/dev/null", Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
    int devNullW = Libc.open("/dev/null", Libc.O_WRONLY | Libc.O_CLOEXEC, 0);
    int[] stdinPipe = null;
    int[] stdoutPipe = null;
    ConsoleSocket console = null;
    if (config.terminal()) {
      console = ConsoleSocket.open();
    } else {
      if (config.stdin()) {
        stdinPipe = Libc.pipe();
        stdinFd = stdinPipe[1];
      }
      stdoutPipe = Libc.pipe();
    }
    // The runtime's own error messages arrive here too, also in terminal mode.
    int[] stderrPipe = Libc.pipe();

    Optional<AttachServer> attach = Optional.empty();
    if (config.execAttach()) {
      attach = openAttach(attachPipe, start);
    }

    List<String> argv = RuntimeCommand.build(config,
        console == null ? Optional.empty() : Optional.of(console.path()));
    MonitorLog.debug("running " + String.join(" ", argv));
    int[] childStdio = {
        stdinPipe != null ? stdinPipe[0] : devNullR,
        stdoutPipe != null ? stdoutPipe[1] : devNullW,
        stderrPipe[1]};
    // Limitation: the runtime gets no parent-death signal; if the monitor dies during create,
    // the runtime runs on to its end.
    int runtimePid = Libc.spawn(argv.toArray(String[]::new), environment(), childStdio);
    forwardTo = runtimePid;
    // The runtime holds these ends now; the container gets them from it.
    if (stdinPipe != null) {
      Libc.closeQuietly(stdinPipe[0]);
    }
    if (stdoutPipe != null) {
      Libc.closeQuietly(stdoutPipe[1]);
    }
    Libc.closeQuietly(stderrPipe[1]);
    Libc.closeQuietly(devNullR);
    Libc.closeQuietly(devNullW);

    // The runtime takes a while; the log, attach socket and fifos are made meanwhile. Callers
    // use them only after the pid arrives on the sync pipe.
    if (config.logPath().isPresent()) {
      log = Optional.of(new CriLogWriter(config.logPath().get(), config.logSizeMax()));
    }
    if (attach.isEmpty()) {
      attach = openAttach(null, null);
    }

    OptionalInt runtimeStatus = reaper.waitFor(runtimePid);
    forwardTo = -1;
    int status = runtimeStatus.orElse(0);
    if (!config.exec() && !ExitStatus.succeeded(status)) {
      String error = readAvailable(stderrPipe[0]);
      MonitorLog.warn("runtime create failed with exit code " + ExitStatus.code(status)
          + ": " + error.strip());
      if (sync != null) {
        sync.send(-1, error);
      }
      closeAll(console, attach);
      return 1;
    }

    int stdoutFd = stdoutPipe != null ? stdoutPipe[0] : -1;
    if (console != null) {
      int master = console.awaitMaster(config.exec() ? 1000 : 5000);
      console.close();
      console = null;
      if (master < 0) {
        if (sync != null) {
          sync.send(-1, "Runtime did not set up terminal");
        }
        closeAll(null, attach);
        return 1;
      }
      terminalFd = master;
      stdinFd = master;
      stdoutFd = Libc.dup(master);
    }

    int pid;
    try {
      pid = Integer.parseInt(Files.readString(config.containerPidFile()).trim());
    } catch (IOException | NumberFormatException e) {
      // Without a pid file the process never started; for exec this is how a runtime failure
      // is told apart from the command's own non-zero exit.
      String error = readAvailable(stderrPipe[0]);
      String message = error.isBlank()
          ? "reading pid file " + config.containerPidFile() + ": " + e.getMessage() : error;
      MonitorLog.warn("no container process: " + message.strip());
      if (sync != null) {
        sync.send(-1, message);
      }
      closeAll(null, attach);
      return 1;
    }
    forwardTo = pid;

    List<Path> markerDirs = new ArrayList<>();
    config.persistDir().ifPresent(markerDirs::add);
    config.bundle().ifPresent(markerDirs::add);
    Optional<OomWatcher> oom = config.exec()
        ? Optional.empty() : OomWatcher.watch(pid, markerDirs);

    List<StdioPump> pumps = new ArrayList<>();
    if (stdoutFd >= 0) {
      pumps.add(StdioPump.start(stdoutFd, "stdout", log, attach));
    }
    pumps.add(StdioPump.start(stderrPipe[0], "stderr", log, attach));
    // The caller starts the container once it has the pid: the pumps must be reading by then.
    if (sync != null && (config.apiVersion1() || !config.exec())) {
      sync.send(pid);
    }
    MonitorLog.info((config.exec() ? "exec process" : "container") + " started, pid " + pid);
    oom.ifPresent(OomWatcher::listen);
    if (config.timeoutSeconds() > 0) {
      startTimeout(pid);
    }

    OptionalInt containerStatus = reaper.waitFor(pid);
    forwardTo = -1;
    int exitCode = containerStatus.isPresent() ? ExitStatus.code(containerStatus.getAsInt()) : 0;
    String exitMessage = null;
    if (timedOut) {
      exitCode = -1;
      exitMessage = "command timed out";
    } else {
      long deadline = System.currentTimeMillis() + DRAIN_MILLIS;
      for (StdioPump pump : pumps) {
        try {
          long left = Math.max(1, deadline - System.currentTimeMillis());
          if (!pump.awaitEnd(left)) {
            // Limitation: output still held open by the process' orphans is not waited for.
            MonitorLog.info("output still open after the process ended; not waiting for it");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    log.ifPresent(CriLogWriter::sync);
    boolean oomKilled = oom.map(OomWatcher::checkAfterExit).orElse(false);
    MonitorLog.info((config.exec() ? "exec process" : "container") + " exited code=" + exitCode
        + (oomKilled ? " reason=OOMKilled" : ""));

    String code = Integer.toString(exitCode);
    if (config.persistDir().isPresent()) {
      ExitFiles.writeAtomically(config.persistDir().get().resolve("exit"), code);
    }
    if (config.exitDir().isPresent()) {
      ExitFiles.writeAtomically(config.exitDir().get().resolve(config.containerId()), code);
    }
    if (config.exec() && sync != null) {
      sync.send(exitCode, exitMessage);
    }
    closeAll(null, attach);
    if (log.isPresent()) {
      log.get().close();
    }
    reaper.reapExited();
    if (config.exitCommand().isPresent()) {
      ExitCommand.run(config.exitCommand().get(), config.exitCommandArgs(),
          config.exitDelaySeconds(), environment(), reaper);
    }
    return exitCode;
  }

  private Optional<AttachServer> openAttach(ParentPipe attachPipe, ParentPipe start)
      throws IOException {
    Optional<AttachServer> attach = Optional.empty();
    if (config.bundle().isPresent()) {
      attach = Optional.of(AttachServer.open(config.bundle().get(), config.socketDir(),
          config.containerUuid(), config.fullAttach(), () -> stdinFd, this::attachClientGone));
      ControlFifo.serve(config.bundle().get(), new ControlFifo.Handler() {
        @Override
        public void resize(int height, int width) {
          resizeTerminal(height, width);
        }

        @Override
        public void reopenLog() {
          reopenLogFile();
        }
      });
      if (attachPipe != null) {
        attachPipe.send(0);
      }
    }
    if (start != null) {
      // An attached exec waits until the caller is attached, so no output is lost.
      start.awaitSignal();
      start.close();
    }
    return attach;
  }

  private void startTimeout(int pid) {
    Thread.ofPlatform().daemon().name("timeout").start(() -> {
      try {
        Thread.sleep(config.timeoutSeconds() * 1000L);
      } catch (InterruptedException e) {
        return;
      }
      timedOut = true;
      MonitorLog.info("timed out after " + config.timeoutSeconds() + "s; killing " + pid);
      int group = Libc.getpgid(pid);
      long self = ProcessHandle.current().pid();
      try {
        // The whole group dies, unless that group is ours (or init's).
        if (group > 1 && group != self) {
          Libc.kill(-group, Libc.SIGKILL);
        } else {
          Libc.kill(pid, Libc.SIGKILL);
        }
      } catch (NativeException e) {
        MonitorLog.warn("killing " + pid + " on timeout: " + e.getMessage());
      }
    });
  }

  private void attachClientGone() {
    if (config.stdin() && !config.leaveStdinOpen() && !config.terminal()) {
      int fd = stdinFd;
      stdinFd = -1;
      Libc.closeQuietly(fd);
    }
  }

  private void resizeTerminal(int height, int width) {
    int fd = terminalFd;
    if (fd < 0) {
      return;
    }
    try {
      Libc.setWindowSize(fd, height, width);
    } catch (NativeException e) {
      MonitorLog.warn("resizing the terminal: " + e.getMessage());
    }
  }

  private void reopenLogFile() {
    if (log.isEmpty()) {
      return;
    }
    try {
      log.get().reopen();
    } catch (IOException e) {
      MonitorLog.warn("reopening the log: " + e.getMessage());
    }
  }

  private static void closeAll(ConsoleSocket console, Optional<AttachServer> attach) {
    if (console != null) {
      console.close();
    }
    attach.ifPresent(AttachServer::close);
  }

  /** Reads what is waiting in {@code fd} (at most 8 KiB) without blocking. */
  private static String readAvailable(int fd) {
    try (Arena arena = Arena.ofConfined()) {
      Libc.setNonBlocking(fd, true);
      MemorySegment buf = arena.allocate(8192);
      int n = Libc.read(fd, buf, 8191);
      return new String(buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
          StandardCharsets.UTF_8);
    } catch (NativeException e) {
      return "";
    }
  }

  /** The environment handed to the runtime and the exit command: ours, less piermon's own. */
  static String[] environment() {
    List<String> env = new ArrayList<>();
    for (Map.Entry<String, String> e : System.getenv().entrySet()) {
      if (!e.getKey().startsWith("PIERMON_")) {
        env.add(e.getKey() + "=" + e.getValue());
      }
    }
    // Limitation: LISTEN_PID is passed unchanged; --replace-listen-pid has no effect.
    return env.toArray(String[]::new);
  }
}
