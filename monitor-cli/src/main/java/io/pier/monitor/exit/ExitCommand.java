package io.pier.monitor.exit;

import io.pier.monitor.logging.MonitorLog;
import io.pier.monitor.nativeio.Libc;
import io.pier.monitor.nativeio.NativeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/** Runs the caller's --exit-command (e.g. podman's cleanup) once the container has exited. */
public final class ExitCommand {
  private ExitCommand() {}

  /** Waits {@code delaySeconds}, runs {@code command} with {@code args}, waits for it. */
  public static void run(Path command, List<String> args, int delaySeconds, String[] env,
      Reaper reaper) {
    try {
      if (delaySeconds > 0) {
        Thread.sleep(delaySeconds * 1000L);
      }
      // Its descendants are its own business, not this monitor's.
      Libc.becomeChildSubreaper(false);
      List<String> argv = new ArrayList<>();
      argv.add(command.toString());
      argv.addAll(args);
      int devNullR = Libc.open("/dev/null", Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
      int devNullW = Libc.open("/dev/null", Libc.O_WRONLY | Libc.O_CLOEXEC, 0);
      int pid;
      try {
        pid = Libc.spawn(argv.toArray(String[]::new), env,
            new int[] {devNullR, devNullW, devNullW});
      } finally {
        Libc.closeQuietly(devNullR);
        Libc.closeQuietly(devNullW);
      }
      OptionalInt status = reaper.waitFor(pid);
      int code = status.isPresent() ? ExitStatus.code(status.getAsInt()) : 0;
      if (code != 0) {
        MonitorLog.warn("exit command " + command + " exited with code " + code);
      }
    } catch (NativeException e) {
      MonitorLog.warn("running exit command " + command + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
