package io.pier.monitor.cli;

import io.pier.monitor.cli.CommandLine.Kind;
import io.pier.monitor.cli.CommandLine.UsageException;
import io.pier.monitor.logging.LogDriver;
import io.pier.monitor.nativeio.Libc;
import io.pier.monitor.session.Monitor;
import io.pier.monitor.session.MonitorConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;

/** The piermon command: watches one container the way conmon does, with conmon's flags. */
public final class Piermon {
  private static final CommandLine FLAGS = new CommandLine()
      .flag("api-version", (char) 0, Kind.SWITCH, "Speak the versioned pipe protocol.")
      .flag("bundle", 'b', Kind.TEXT, "OCI bundle path.")
      .flag("cid", 'c', Kind.TEXT, "Container ID.")
      .flag("conmon-pidfile", 'P', Kind.TEXT, "PID file for this monitor.")
      .flag("container-pidfile", 'p', Kind.TEXT, "PID file for the container's first process.")
      .alias("pidfile", "container-pidfile")
      .flag("cuuid", 'u', Kind.TEXT, "Container UUID.")
      .flag("exec", 'e', Kind.SWITCH, "Exec a process in a running container.")
      .flag("exec-attach", (char) 0, Kind.SWITCH, "Wait for an attach before the exec starts.")
      .flag("exec-process-spec", (char) 0, Kind.TEXT, "Process spec for exec.")
      .flag("exit-command", (char) 0, Kind.TEXT, "Program to run when the container exits.")
      .flag("exit-command-arg", (char) 0, Kind.LIST, "Argument of the exit command.")
      .flag("exit-delay", (char) 0, Kind.INT, "Seconds before the exit command runs.")
      .flag("exit-dir", (char) 0, Kind.TEXT, "Directory receiving the exit file.")
      .flag("full-attach", (char) 0, Kind.SWITCH, "Put the attach socket in the bundle.")
      .flag("leave-stdin-open", (char) 0, Kind.SWITCH, "Keep stdin open after a detach.")
      // Limitation: --log-global-size-max is accepted but not enforced.
      .flag("log-global-size-max", (char) 0, Kind.LONG, "Accepted and ignored.")
      .flag("log-label", (char) 0, Kind.LIST, "Log label (the k8s-file driver has none).")
      .flag("log-level", (char) 0, Kind.TEXT, "error, warn, info, debug or trace.")
      .flag("log-path", 'l', Kind.LIST, "Log file: PATH or k8s-file:PATH.")
      .flag("log-size-max", (char) 0, Kind.LONG, "Largest log file size in bytes.")
      .flag("log-tag", (char) 0, Kind.TEXT, "Log tag (the k8s-file driver has none).")
      .flag("name", 'n', Kind.TEXT, "Container name.")
      .flag("no-container-partial-message", (char) 0, Kind.SWITCH, "Accepted and ignored.")
      .flag("no-new-keyring", (char) 0, Kind.SWITCH, "Pass --no-new-keyring to the runtime.")
      .flag("no-pivot", (char) 0, Kind.SWITCH, "Pass --no-pivot to the runtime.")
      .flag("no-sync-log", (char) 0, Kind.SWITCH, "Accepted and ignored.")
      .flag("persist-dir", '0', Kind.TEXT, "Directory for the exit and oom files.")
      .flag("replace-listen-pid", (char) 0, Kind.SWITCH, "Accepted; has no effect.")
      .flag("restore", (char) 0, Kind.TEXT, "Not supported.")
      .flag("runtime", 'r', Kind.TEXT, "Path of the OCI runtime.")
      .flag("runtime-arg", (char) 0, Kind.LIST, "Argument before the runtime's verb.")
      .flag("runtime-opt", (char) 0, Kind.LIST, "Argument after the runtime's verb.")
      .flag("sdnotify-socket", (char) 0, Kind.TEXT, "Not supported.")
      .flag("socket-dir-path", (char) 0, Kind.TEXT, "Directory of attach sockets.")
      .flag("stdin", 'i', Kind.SWITCH, "Keep a stdin pipe for attach clients.")
      .flag("sync", (char) 0, Kind.SWITCH, "Stay the caller's child instead of detaching.")
      .flag("syslog", (char) 0, Kind.SWITCH, "Send piermon's own log lines to syslog.")
      .flag("systemd-cgroup", 's', Kind.SWITCH, "Pass --systemd-cgroup to the runtime.")
      .flag("terminal", 't', Kind.SWITCH, "Give the container a terminal.")
      .flag("timeout", 'T', Kind.INT, "Kill the process after this many seconds.")
      .flag("version", (char) 0, Kind.SWITCH, "Print the version.")
      .flag("help", 'h', Kind.SWITCH, "Show this help.");

  /** The parsed flags. */
  private final CommandLine.Parsed flags;

  private Piermon(CommandLine.Parsed flags) {
    this.flags = flags;
  }

  /** Entry point. */
  public static void main(String[] args) {
    Thread.ofPlatform().daemon().name("native-bind").start(Libc::prepare);
    MonitorConfig config;
    try {
      CommandLine.Parsed parsed = FLAGS.parse(args);
      if (parsed.on("help")) {
        System.out.print(FLAGS.help("Usage: piermon [OPTION...]\n"
            + "Monitors one container: holds its stdio, writes its log, reports its exit."));
        System.exit(0);
        return;
      }
      if (parsed.on("version")) {
        // The first line reads like conmon's: callers (podman) parse it to tell which monitor
        // interface they talk to, and piermon implements conmon 2.1's.
        System.out.println("conmon version 2.1.6\ncommit: piermon " + version());
        System.exit(0);
        return;
      }
      if (!System.getProperty("os.arch").equals("amd64")) {
        // Limitation: the native calls are written for x86_64 only.
        throw new UsageException("this build supports x86_64 only, not "
            + System.getProperty("os.arch"));
      }
      config = new Piermon(parsed).toConfig();
    } catch (UsageException e) {
      System.err.println("piermon: " + e.getMessage());
      System.exit(1);
      return;
    }
    System.exit(new Monitor(config).run());
  }

  private static String version() {
    Properties props = new Properties();
    try (InputStream in = Piermon.class.getResourceAsStream("version.properties")) {
      props.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return props.getProperty("version");
  }

  /** Checks the flags as conmon does and builds the run's configuration. */
  MonitorConfig toConfig() throws UsageException {
    String cid = flags.text("cid").orElse("");
    String cuuid = flags.text("cuuid").orElse(null);
    String runtime = flags.text("runtime").orElse(null);
    boolean exec = flags.on("exec");
    boolean execAttach = flags.on("exec-attach");
    boolean apiVersion = flags.on("api-version");
    String execProcessSpec = flags.text("exec-process-spec").orElse(null);
    long exitDelay = flags.number("exit-delay", 0);
    long timeout = flags.number("timeout", 0);
    String logLevel = flags.text("log-level").orElse("info");
    String restore = flags.text("restore").orElse(null);
    String sdnotifySocket = flags.text("sdnotify-socket").orElse(null);
    String logTag = flags.text("log-tag").orElse(null);
    List<String> logLabels = flags.list("log-label");
    List<String> logPaths = flags.list("log-path");
    String bundle = flags.text("bundle").orElse(null);
    String containerPidFile = flags.text("container-pidfile").orElse(null);
    if (cid.isEmpty()) {
      throw new UsageException("container ID not provided; use --cid");
    }
    if (restore != null) {
      throw new UsageException("--restore is not supported");
    }
    if (sdnotifySocket != null) {
      throw new UsageException("--sdnotify-socket is not supported");
    }
    if (!exec && execAttach) {
      throw new UsageException("--exec-attach needs --exec");
    }
    if (!apiVersion && execAttach) {
      throw new UsageException("--exec-attach needs --api-version");
    }
    if (cuuid == null && (!exec || apiVersion)) {
      throw new UsageException("container UUID not provided; use --cuuid");
    }
    if (runtime == null) {
      throw new UsageException("runtime path not provided; use --runtime");
    }
    Path runtimePath = Path.of(runtime);
    if (!Files.isRegularFile(runtimePath) || !Files.isExecutable(runtimePath)) {
      throw new UsageException("runtime path " + runtime + " is not an executable file");
    }
    if (exec && execProcessSpec == null) {
      throw new UsageException("exec process spec not provided; use --exec-process-spec");
    }
    if (exitDelay < 0) {
      throw new UsageException("--exit-delay must be 0 or more, got " + exitDelay);
    }
    if (timeout < 0) {
      throw new UsageException("--timeout must be 0 or more, got " + timeout);
    }
    if (!List.of("error", "warn", "warning", "info", "debug", "trace", "fatal", "panic")
        .contains(logLevel.toLowerCase(Locale.ROOT))) {
      throw new UsageException("--log-level " + logLevel
          + " is not one of error, warn, info, debug, trace");
    }
    // Like conmon, arguments that are no flags are ignored: callers put "1" after the bare
    // --api-version switch.
    Optional<Path> logPath;
    try {
      logPath = LogDriver.resolve(logPaths);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    if (logPath.isPresent() && (logTag != null || !logLabels.isEmpty())) {
      throw new UsageException(
          "the k8s-file log driver supports neither --log-tag nor --log-label");
    }
    Path cwd = Path.of("").toAbsolutePath();
    Optional<Path> bundlePath = Optional.ofNullable(bundle).map(Path::of);
    if (bundlePath.isEmpty() && !exec) {
      bundlePath = Optional.of(cwd);
    }
    Path pidFile = containerPidFile != null
        ? Path.of(containerPidFile) : cwd.resolve("pidfile-" + cid);
    return new MonitorConfig(cid, cuuid == null ? "" : cuuid, flags.text("name"),
        Path.of(runtime), bundlePath.map(Path::toAbsolutePath), pidFile.toAbsolutePath(),
        flags.text("conmon-pidfile").map(Path::of), logPath, flags.number("log-size-max", -1),
        flags.text("exit-dir").map(Path::of), flags.text("persist-dir").map(Path::of),
        flags.text("exit-command").map(Path::of), flags.list("exit-command-arg"),
        (int) exitDelay, Path.of(flags.text("socket-dir-path").orElse("/var/run/crio")),
        flags.list("runtime-arg"), flags.list("runtime-opt"), flags.on("terminal"),
        flags.on("stdin"), flags.on("leave-stdin-open"), exec,
        Optional.ofNullable(execProcessSpec).map(Path::of), execAttach, (int) timeout,
        flags.on("sync"), apiVersion, flags.on("full-attach"), flags.on("no-pivot"),
        flags.on("no-new-keyring"), flags.on("systemd-cgroup"), flags.on("syslog"),
        logLevel.toLowerCase(Locale.ROOT));
  }

}
