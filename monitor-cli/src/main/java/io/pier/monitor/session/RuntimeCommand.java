package io.pier.monitor.session;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Builds the OCI runtime's command line for create or exec, in conmon's argument order. */
public final class RuntimeCommand {
  private RuntimeCommand() {}

  /** The argv to run, given the console socket path when the container has a terminal. */
  public static List<String> build(MonitorConfig config, Optional<Path> consoleSocket) {
    List<String> argv = new ArrayList<>();
    argv.add(config.runtime().toString());
    if (!config.exec() && config.systemdCgroup()) {
      argv.add("--systemd-cgroup");
    }
    argv.addAll(config.runtimeArgs());
    if (config.exec()) {
      argv.addAll(List.of("exec", "--pid-file", config.containerPidFile().toString(),
          "--process", config.execProcessSpec().orElseThrow().toString(), "--detach"));
    } else {
      argv.addAll(List.of("create", "--bundle", config.bundle().orElseThrow().toString(),
          "--pid-file", config.containerPidFile().toString()));
      if (config.noPivot()) {
        argv.add("--no-pivot");
      }
      if (config.noNewKeyring()) {
        argv.add("--no-new-keyring");
      }
    }
    argv.addAll(config.runtimeOpts());
    consoleSocket.ifPresent(p -> {
      argv.add("--console-socket");
      argv.add(p.toString());
    });
    argv.add(config.containerId());
    return argv;
  }
}
