package io.pier.monitor.cli;

import io.pier.monitor.logging.LogDriver;
import io.pier.monitor.session.Monitor;
import io.pier.monitor.session.MonitorConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The piermon command: watches one container the way conmon does, with conmon's flags. */
@Command(name = "piermon", mixinStandardHelpOptions = false,
    versionProvider = Piermon.Version.class,
    description = "Monitors one container: holds its stdio, writes its log, reports its exit.")
public final class Piermon {

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
  boolean help;

  @Option(names = "--version", versionHelp = true, description = "Print the version.")
  boolean version;

  @Option(names = {"-c", "--cid"}, description = "Container ID.")
  String cid;

  @Option(names = {"-u", "--cuuid"}, description = "Container UUID.")
  String cuuid;

  @Option(names = {"-n", "--name"}, description = "Container name.")
  String name;

  @Option(names = {"-r", "--runtime"}, description = "Path of the OCI runtime.")
  String runtime;

  @Option(names = {"-b", "--bundle"}, description = "OCI bundle path.")
  String bundle;

  @Option(names = {"-p", "--container-pidfile", "--pidfile"},
      description = "PID file for the container's first process.")
  String containerPidFile;

  @Option(names = {"-P", "--conmon-pidfile"}, description = "PID file for this monitor.")
  String monitorPidFile;

  @Option(names = {"-l", "--log-path"}, description = "Log file: PATH or k8s-file:PATH.")
  List<String> logPaths = new ArrayList<>();

  @Option(names = "--log-size-max", description = "Largest log file size in bytes.")
  long logSizeMax = -1;

  @Option(names = "--log-global-size-max", description = "Accepted and ignored.")
  long logGlobalSizeMax = -1;

  @Option(names = "--log-tag", description = "Log tag (the k8s-file driver has none).")
  String logTag;

  @Option(names = "--log-label", description = "Log label (the k8s-file driver has none).")
  List<String> logLabels = new ArrayList<>();

  @Option(names = "--exit-dir", description = "Directory receiving the exit file.")
  String exitDir;

  @Option(names = "--exit-command", description = "Program to run when the container exits.")
  String exitCommand;

  @Option(names = "--exit-command-arg", description = "Argument of the exit command.")
  List<String> exitCommandArgs = new ArrayList<>();

  @Option(names = "--exit-delay", description = "Seconds before the exit command runs.")
  int exitDelay;

  @Option(names = "--socket-dir-path", description = "Directory of attach sockets.")
  String socketDir = "/var/run/crio";

  @Option(names = "--runtime-arg", description = "Argument before the runtime's verb.")
  List<String> runtimeArgs = new ArrayList<>();

  @Option(names = "--runtime-opt", description = "Argument after the runtime's verb.")
  List<String> runtimeOpts = new ArrayList<>();

  @Option(names = {"-t", "--terminal"}, description = "Give the container a terminal.")
  boolean terminal;

  @Option(names = {"-i", "--stdin"}, description = "Keep a stdin pipe for attach clients.")
  boolean stdin;

  @Option(names = "--leave-stdin-open", description = "Keep stdin open after a detach.")
  boolean leaveStdinOpen;

  @Option(names = {"-e", "--exec"}, description = "Exec a process in a running container.")
  boolean exec;

  @Option(names = "--exec-process-spec", description = "Process spec for exec.")
  String execProcessSpec;

  @Option(names = "--exec-attach", description = "Wait for an attach before the exec starts.")
  boolean execAttach;

  @Option(names = {"-T", "--timeout"}, description = "Kill the process after this many seconds.")
  int timeout;

  @Option(names = "--sync", description = "Stay the caller's child instead of detaching.")
  boolean sync;

  @Option(names = "--api-version", description = "Speak the versioned pipe protocol.")
  boolean apiVersion;

  @Option(names = {"-0", "--persist-dir"}, description = "Directory for exit and oom files.")
  String persistDir;

  @Option(names = "--log-level", description = "error, warn, info, debug or trace.")
  String logLevel = "info";

  @Option(names = "--syslog", description = "Send piermon's own log lines to syslog.")
  boolean syslog;

  @Option(names = "--full-attach", description = "Put the attach socket in the bundle.")
  boolean fullAttach;

  @Option(names = "--no-pivot", description = "Pass --no-pivot to the runtime.")
  boolean noPivot;

  @Option(names = "--no-new-keyring", description = "Pass --no-new-keyring to the runtime.")
  boolean noNewKeyring;

  @Option(names = {"-s", "--systemd-cgroup"}, description = "Pass --systemd-cgroup on create.")
  boolean systemdCgroup;

  @Option(names = "--replace-listen-pid", description = "Accepted; see the limitation note.")
  boolean replaceListenPid;

  @Option(names = "--no-sync-log", description = "Accepted and ignored.")
  boolean noSyncLog;

  @Option(names = "--no-container-partial-message", description = "Accepted and ignored.")
  boolean noPartialMessage;

  @Option(names = "--sdnotify-socket", description = "Not supported.")
  String sdnotifySocket;

  @Option(names = "--restore", description = "Not supported.")
  String restore;

  /** conmon takes --api-version as a bare flag, so callers' "1" after it lands here. */
  @Parameters(hidden = true)
  List<String> leftovers = new ArrayList<>();

  /** Entry point. */
  public static void main(String[] args) {
    Piermon cli = new Piermon();
    CommandLine line = new CommandLine(cli);
    line.setUnmatchedOptionsArePositionalParams(false);
    // Values such as "--exit-command-arg --root" or "--runtime-arg --log" look like options.
    line.setAllowOptionsAsOptionParameters(true);
    MonitorConfig config;
    try {
      CommandLine.ParseResult parsed = line.parseArgs(args);
      if (parsed.isUsageHelpRequested()) {
        line.usage(System.out);
        System.exit(0);
        return;
      }
      if (parsed.isVersionHelpRequested()) {
        line.printVersionHelp(System.out);
        System.exit(0);
        return;
      }
      config = cli.toConfig();
    } catch (CommandLine.ParameterException | UsageException | IOException e) {
      System.err.println("piermon: " + e.getMessage());
      System.exit(1);
      return;
    }
    System.exit(new Monitor(config).run());
  }

  /** Checks the flags as conmon does and builds the run's configuration. */
  MonitorConfig toConfig() throws UsageException, IOException {
    if (cid == null || cid.isEmpty()) {
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
    if (!Files.isRegularFile(runtimePath) || !Files.isExecutable(runtimePath)
        || !Files.getPosixFilePermissions(runtimePath).stream()
            .anyMatch(p -> p.name().endsWith("_EXECUTE"))) {
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
        .contains(logLevel.toLowerCase(java.util.Locale.ROOT))) {
      throw new UsageException("--log-level " + logLevel
          + " is not one of error, warn, info, debug, trace");
    }
    for (String left : leftovers) {
      if (!left.equals("1")) {
        throw new UsageException("unexpected argument " + left);
      }
    }
    Optional<Path> logPath;
    try {
      logPath = LogDriver.resolve(logPaths);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    if (logPath.isPresent() && (logTag != null || !logLabels.isEmpty())) {
      throw new UsageException("the k8s-file log driver supports neither --log-tag nor"
          + " --log-label");
    }
    Path cwd = Path.of("").toAbsolutePath();
    Optional<Path> bundlePath = Optional.ofNullable(bundle).map(Path::of);
    if (bundlePath.isEmpty() && !exec) {
      bundlePath = Optional.of(cwd);
    }
    Path pidFile = containerPidFile != null
        ? Path.of(containerPidFile) : cwd.resolve("pidfile-" + cid);
    return new MonitorConfig(cid, cuuid == null ? "" : cuuid, Optional.ofNullable(name),
        Path.of(runtime), bundlePath.map(Path::toAbsolutePath), pidFile.toAbsolutePath(),
        Optional.ofNullable(monitorPidFile).map(Path::of), logPath, logSizeMax,
        Optional.ofNullable(exitDir).map(Path::of),
        Optional.ofNullable(persistDir).map(Path::of),
        Optional.ofNullable(exitCommand).map(Path::of), List.copyOf(exitCommandArgs),
        exitDelay, Path.of(socketDir), List.copyOf(runtimeArgs), List.copyOf(runtimeOpts),
        terminal, stdin, leaveStdinOpen, exec, Optional.ofNullable(execProcessSpec).map(Path::of),
        execAttach, timeout, sync, apiVersion, fullAttach, noPivot, noNewKeyring, systemdCgroup,
        syslog, logLevel.toLowerCase(java.util.Locale.ROOT));
  }

  /** A flag that is missing, malformed or not supported. */
  static final class UsageException extends Exception {
    UsageException(String message) {
      super(message);
    }
  }

  /**
   * Reads the version the build stamped into the jar.
   *
   * <p>The first line reads like conmon's because callers (podman) parse it to check which
   * monitor interface they talk to; piermon implements conmon 2.1's.
   */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      Properties props = new Properties();
      try (InputStream in = Piermon.class.getResourceAsStream("version.properties")) {
        props.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new String[] {"conmon version 2.1.6", "commit: piermon " + props.getProperty(
          "version")};
    }
  }
}
