package io.pier.monitor.session;

import io.pier.monitor.logging.MonitorLog;
import io.pier.monitor.nativeio.Errno;
import io.pier.monitor.nativeio.Libc;
import io.pier.monitor.nativeio.NativeException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A pipe the caller handed over by number in the environment (_OCI_SYNCPIPE, _OCI_STARTPIPE,
 * _OCI_ATTACHPIPE), and the one-line JSON messages written on it.
 */
public final class ParentPipe {
  /** The descriptor, or -1 once closed or broken. */
  private int fd;
  /** The key of the number in messages: "data", "pid" or "exit_code". */
  private final String key;

  private ParentPipe(int fd, String key) {
    this.fd = fd;
    this.key = key;
  }

  /** The pipe named by environment variable {@code name}; empty when it is not set. */
  public static Optional<ParentPipe> fromEnv(String name, String key) {
    String value = System.getenv(name);
    if (value == null) {
      return Optional.empty();
    }
    int fd;
    try {
      fd = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("cannot parse " + name + "=" + value);
    }
    try {
      Libc.setCloseOnExec(fd);
    } catch (NativeException e) {
      throw new IllegalArgumentException(name + "=" + value + " is not an open descriptor");
    }
    return Optional.of(new ParentPipe(fd, key));
  }

  /** Blocks until the caller writes (or closes its end). */
  public void awaitSignal() {
    try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
      Libc.read(fd, arena.allocate(8192), 8192);
    } catch (NativeException e) {
      MonitorLog.warn("reading the start pipe: " + e.getMessage());
    }
  }

  /** Sends {@code {"<key>": value}}. */
  public void send(int value) {
    send(value, null);
  }

  /** Sends {@code {"<key>": value, "message": "..."}}; a null or empty message is left out. */
  public void send(int value, String message) {
    if (fd < 0) {
      return;
    }
    StringBuilder json = new StringBuilder("{\"").append(key).append("\": ").append(value);
    if (message != null && !message.isEmpty()) {
      json.append(", \"message\": \"").append(escape(message)).append('"');
    }
    json.append("}\n");
    try {
      Libc.writeAll(fd, json.toString().getBytes(StandardCharsets.UTF_8));
    } catch (NativeException e) {
      if (e.errno() != Errno.EPIPE) {
        MonitorLog.warn("writing to the caller's pipe: " + e.getMessage());
      }
      close();
    }
  }

  /** Closes the pipe. */
  public void close() {
    Libc.closeQuietly(fd);
    fd = -1;
  }

  /** Escapes a message the way conmon does, so callers' JSON decoders see the same string. */
  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\', '"' -> b.append('\\').append(c);
        case '/' -> b.append("\\/");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\b' -> b.append("\\b");
        case '\f' -> b.append("\\f");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            b.append(String.format("\\u00%02x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }
}
