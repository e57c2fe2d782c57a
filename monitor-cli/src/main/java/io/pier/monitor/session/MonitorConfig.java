package io.pier.monitor.session;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Everything one monitor run was told on its command line, checked and with defaults filled. */
public record MonitorConfig(
    /* Container ID, passed to the runtime and naming the exit file. */
    String containerId,
    /* Container UUID, naming the attach socket directory; empty for a legacy exec. */
    String containerUuid,
    /* Container name, for piermon's own log lines. */
    Optional<String> name,
    /* The OCI runtime executable. */
    Path runtime,
    /* The OCI bundle; empty only for exec without attach. */
    Optional<Path> bundle,
    /* Where the runtime writes the container's (or exec process') pid. */
    Path containerPidFile,
    /* Where piermon writes its own pid. */
    Optional<Path> monitorPidFile,
    /* The CRI log file; empty when logging is off. */
    Optional<Path> logPath,
    /* Largest log file size before it is truncated, or -1 for no limit. */
    long logSizeMax,
    /* Directory that receives the exit file named after the container ID. */
    Optional<Path> exitDir,
    /* Directory that receives "exit" and "oom" for this container. */
    Optional<Path> persistDir,
    /* Program run after the container exits. */
    Optional<Path> exitCommand,
    /* Arguments of the exit command. */
    List<String> exitCommandArgs,
    /* Seconds to wait before running the exit command. */
    int exitDelaySeconds,
    /* Directory holding the attach socket directories. */
    Path socketDir,
    /* Arguments placed before the runtime's verb. */
    List<String> runtimeArgs,
    /* Arguments placed after the runtime's verb. */
    List<String> runtimeOpts,
    /* Whether the container has a terminal. */
    boolean terminal,
    /* Whether the container's stdin is kept open for attach clients. */
    boolean stdin,
    /* Whether stdin stays open after the last attach client leaves. */
    boolean leaveStdinOpen,
    /* Whether this run execs a process in a running container. */
    boolean exec,
    /* The process spec for exec. */
    Optional<Path> execProcessSpec,
    /* Whether an exec session waits for an attach before starting. */
    boolean execAttach,
    /* Seconds after which the process is killed, or 0 for never. */
    int timeoutSeconds,
    /* Whether piermon stays the caller's child instead of detaching. */
    boolean sync,
    /* Whether the caller speaks the versioned pipe protocol ("data" keys, pid before exit). */
    boolean apiVersion1,
    /* Whether the attach socket lives in the bundle, ignoring the socket directory. */
    boolean fullAttach,
    /* Whether the runtime gets --no-pivot. */
    boolean noPivot,
    /* Whether the runtime gets --no-new-keyring. */
    boolean noNewKeyring,
    /* Whether the runtime gets --systemd-cgroup. */
    boolean systemdCgroup,
    /* Whether piermon's own log lines go to syslog. */
    boolean syslog,
    /* piermon's own log level: error, warn, info, debug or trace. */
    String logLevel) {}
