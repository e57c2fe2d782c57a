package io.pier.monitor.exit;

import io.pier.monitor.logging.MonitorLog;
import io.pier.monitor.nativeio.Errno;
import io.pier.monitor.nativeio.Libc;
import io.pier.monitor.nativeio.NativeException;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Reaps every child of the monitor (it is a child subreaper, so orphans of the container land
 * here too) and hands out the statuses of the ones asked for.
 */
public final class Reaper {
  /** Statuses of children reaped while waiting for another one. */
  private final Map<Integer, Integer> early = new HashMap<>();

  /**
   * Blocks until {@code pid} exits and returns its raw status; empty when it is not our child
   * (it then is polled until it is gone).
   */
  public synchronized OptionalInt waitFor(int pid) throws NativeException {
    Integer cached = early.remove(pid);
    if (cached != null) {
      return OptionalInt.of(cached);
    }
    while (true) {
      int[] r;
      try {
        r = Libc.waitpid(-1, false);
      } catch (NativeException e) {
        if (e.errno() != Errno.ECHILD) {
          throw e;
        }
        awaitGone(pid);
        return OptionalInt.empty();
      }
      if (r[0] == pid) {
        return OptionalInt.of(r[1]);
      }
      MonitorLog.debug("reaped process " + r[0] + " status " + r[1]);
      early.put(r[0], r[1]);
    }
  }

  /** Reaps whatever children have exited, without blocking. */
  public synchronized void reapExited() {
    try {
      while (true) {
        int[] r = Libc.waitpid(-1, true);
        if (r[0] <= 0) {
          return;
        }
        early.put(r[0], r[1]);
      }
    } catch (NativeException e) {
      // No children left.
    }
  }

  private static void awaitGone(int pid) throws NativeException {
    // A process that is not our child (e.g. moved elsewhere by a cgroup manager) sends no
    // SIGCHLD here; its status cannot be known, only its end.
    MonitorLog.info("process " + pid + " is not a child of the monitor; polling it");
    while (Libc.kill(pid, 0)) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
