package io.pier.monitor.stdio;

import io.pier.monitor.attach.AttachServer;
import io.pier.monitor.logging.CriLogWriter;
import io.pier.monitor.logging.MonitorLog;
import io.pier.monitor.nativeio.Errno;
import io.pier.monitor.nativeio.Libc;
import io.pier.monitor.nativeio.NativeException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Optional;

/**
 * Copies one output stream of the container (its stdout or stderr pipe, or the terminal) to
 * the CRI log and to attached clients, until the stream ends.
 */
public final class StdioPump implements Runnable {
  /** conmon reads 8 KiB at a time; the same size keeps partial records alike. */
  static final int CHUNK = 8192;

  /** The descriptor read from; closed when the stream ends. */
  private final int fd;
  /** The stream's name in log records: "stdout" or "stderr". */
  private final String stream;
  /** The stream's byte in attach frames: 2 for stdout, 3 for stderr. */
  private final byte attachTag;
  /** The CRI log, if the container has one. */
  private final Optional<CriLogWriter> log;
  /** Attach clients, if an attach socket exists. */
  private final Optional<AttachServer> attach;
  /** The thread running this pump. */
  private final Thread thread;

  private StdioPump(int fd, String stream, byte attachTag, Optional<CriLogWriter> log,
      Optional<AttachServer> attach) {
    this.fd = fd;
    this.stream = stream;
    this.attachTag = attachTag;
    this.log = log;
    this.attach = attach;
    this.thread = Thread.ofPlatform().daemon().name("pump-" + stream).unstarted(this);
  }

  /** Starts pumping {@code fd} as {@code stream} ("stdout" or "stderr"). */
  public static StdioPump start(int fd, String stream, Optional<CriLogWriter> log,
      Optional<AttachServer> attach) {
    StdioPump pump = new StdioPump(fd, stream, (byte) (stream.equals("stdout") ? 2 : 3), log,
        attach);
    pump.thread.start();
    return pump;
  }

  @Override
  public void run() {
    try (Arena arena = Arena.ofConfined()) {
      // One spare byte in front for the attach frame's stream tag.
      MemorySegment frame = arena.allocate(CHUNK + 1);
      MemorySegment data = frame.asSlice(1);
      byte[] heap = new byte[CHUNK];
      while (true) {
        int n;
        try {
          n = Libc.read(fd, data, CHUNK);
        } catch (NativeException e) {
          // A terminal whose last slave closed reads EIO: the same as end of file.
          if (e.errno() != Errno.EIO) {
            MonitorLog.warn("reading container " + stream + ": " + e.getMessage());
          }
          break;
        }
        if (n == 0) {
          break;
        }
        MemorySegment.copy(data, ValueLayout.JAVA_BYTE, 0, heap, 0, n);
        if (log.isPresent()) {
          try {
            log.get().write(stream, heap, n);
          } catch (IOException e) {
            MonitorLog.warn("writing container " + stream + " to the log: " + e.getMessage());
          }
        }
        if (attach.isPresent()) {
          frame.set(ValueLayout.JAVA_BYTE, 0, attachTag);
          attach.get().broadcast(frame, n + 1);
        }
      }
    } finally {
      Libc.closeQuietly(fd);
    }
  }

  /** Waits up to {@code millis} for the stream to end; returns whether it did. */
  public boolean awaitEnd(long millis) throws InterruptedException {
    thread.join(millis);
    return !thread.isAlive();
  }
}
