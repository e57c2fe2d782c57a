package io.pier.monitor.control;

import io.pier.monitor.logging.MonitorLog;
import io.pier.monitor.nativeio.Libc;
import io.pier.monitor.nativeio.NativeException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The control fifos in the bundle: {@code ctl} takes lines {@code "<type> <height> <width>"}
 * (type 1 resizes the terminal, type 2 reopens the log) and {@code winsz} takes
 * {@code "<height> <width>"} lines.
 */
public final class ControlFifo {
  private static final int RESIZE = 1;
  private static final int REOPEN_LOG = 2;

  /** What the fifos act on. */
  public interface Handler {
    /** Resizes the container's terminal. */
    void resize(int height, int width);

    /** Reopens the container's log file. */
    void reopenLog();
  }

  private ControlFifo() {}

  /** Creates both fifos in {@code bundle} and serves them on daemon threads. */
  public static void serve(Path bundle, Handler handler) throws IOException {
    BufferedReader ctl = openFifo(bundle.resolve("ctl"));
    BufferedReader winsz = openFifo(bundle.resolve("winsz"));
    Thread.ofPlatform().daemon().name("ctl-fifo").start(() -> readLines(ctl, line -> {
      String[] f = line.trim().split("\\s+");
      if (f.length != 3) {
        return false;
      }
      int type = Integer.parseInt(f[0]);
      int height = Integer.parseInt(f[1]);
      int width = Integer.parseInt(f[2]);
      if (!inRange(height, width)) {
        return false;
      }
      if (type == RESIZE) {
        handler.resize(height, width);
      } else if (type == REOPEN_LOG) {
        handler.reopenLog();
      } else {
        return false;
      }
      return true;
    }));
    Thread.ofPlatform().daemon().name("winsz-fifo").start(() -> readLines(winsz, line -> {
      String[] f = line.trim().split("\\s+");
      if (f.length != 2) {
        return false;
      }
      int height = Integer.parseInt(f[0]);
      int width = Integer.parseInt(f[1]);
      if (!inRange(height, width)) {
        return false;
      }
      handler.resize(height, width);
      return true;
    }));
  }

  private static boolean inRange(int height, int width) {
    return height >= 0 && width >= 0 && height <= 1000 && width <= 1000;
  }

  private static BufferedReader openFifo(Path path) throws IOException {
    Files.deleteIfExists(path);
    try {
      Libc.mkfifo(path.toString(), 0660);
    } catch (NativeException e) {
      throw new IOException("creating control fifo " + path + ": " + e.getMessage(), e);
    }
    // Opened for reading and writing: the fifo then never reports end of file when a writer
    // goes away, and opening does not block waiting for one.
    RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw");
    return new BufferedReader(new InputStreamReader(Channels.newInputStream(file.getChannel()),
        StandardCharsets.US_ASCII));
  }

  private interface LineAction {
    boolean apply(String line);
  }

  private static void readLines(BufferedReader reader, LineAction action) {
    try {
      String line;
      while ((line = reader.readLine()) != null) {
        try {
          if (!action.apply(line)) {
            MonitorLog.warn("ignored control message: " + line);
          }
        } catch (NumberFormatException e) {
          MonitorLog.warn("ignored control message: " + line);
        }
      }
    } catch (IOException e) {
      MonitorLog.debug("control fifo closed: " + e.getMessage());
    }
  }
}
