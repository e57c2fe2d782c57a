package io.pier.monitor.logging;

import io.pier.monitor.nativeio.Libc;
import java.io.PrintStream;

/**
 * piermon's own diagnostic log: to syslog with --syslog, else to standard error (which is
 * /dev/null once the monitor has detached).
 */
public final class MonitorLog {
  private static final int LOG_ERR = 3;
  private static final int LOG_WARNING = 4;
  private static final int LOG_INFO = 6;
  private static final int LOG_DEBUG = 7;

  private static volatile int threshold = LOG_INFO;
  private static volatile boolean toSyslog;
  private static volatile String prefix = "piermon: ";

  private MonitorLog() {}

  /** Sets the level, sink and the container ID every line carries. */
  public static void configure(String level, boolean syslog, String containerId) {
    threshold = switch (level) {
      case "error", "fatal", "panic" -> LOG_ERR;
      case "warn", "warning" -> LOG_WARNING;
      case "debug", "trace" -> LOG_DEBUG;
      default -> LOG_INFO;
    };
    if (syslog) {
      // syslog names the program itself.
      prefix = "<" + containerId + ">: ";
      Libc.openlog("piermon");
      toSyslog = true;
    } else {
      prefix = "piermon <" + containerId + ">: ";
    }
  }

  /** Logs a state change or an unusual event. */
  public static void info(String message) {
    emit(LOG_INFO, message);
  }

  /** Logs something that went wrong but lets the monitor go on. */
  public static void warn(String message) {
    emit(LOG_WARNING, message);
  }

  /** Logs a failure that ends the monitor. */
  public static void error(String message) {
    emit(LOG_ERR, message);
  }

  /** Logs detail for a person debugging piermon. */
  public static void debug(String message) {
    emit(LOG_DEBUG, message);
  }

  /** Whether debug lines are kept. */
  public static boolean debugEnabled() {
    return threshold >= LOG_DEBUG;
  }

  private static void emit(int priority, String message) {
    if (priority > threshold) {
      return;
    }
    String line = prefix + message;
    if (toSyslog) {
      Libc.syslog(priority, line);
    } else {
      PrintStream err = System.err;
      err.println(line);
    }
  }
}
