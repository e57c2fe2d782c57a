package io.pier.monitor.logging;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Writes a container's output in the CRI log format, one record per line:
 * {@code <RFC3339Nano> <stdout|stderr> <P|F> <content>}; a chunk without a trailing newline
 * becomes a P (partial) record. Safe for the stdout and stderr pumps to share.
 */
public final class CriLogWriter implements AutoCloseable {
  /** Local time with nanoseconds and a numeric offset, the way kubelet's parser reads it. */
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.nnnnnnnnnxxx");
  /** Length of "2006-01-02T15:04:05.999999999+07:00 stdout ": both stream names have 6 bytes. */
  private static final int HEADER_LENGTH = 43;

  /** The log file's path; it is reopened under this name on request. */
  private final Path path;
  /** The file size at which the log starts over, or -1 for no limit. */
  private final long sizeMax;
  /** The zone used for timestamps. */
  private final ZoneId zone = ZoneId.systemDefault();
  /** Staging buffer for the records of one chunk. */
  private ByteBuffer out = ByteBuffer.allocateDirect(64 * 1024);
  /** The open log file. */
  private FileChannel channel;
  /** Bytes in the current file, counted as conmon counts them. */
  private long written;

  /** Opens (appends to) the log at {@code path}. */
  public CriLogWriter(Path path, long sizeMax) throws IOException {
    this.path = path;
    this.sizeMax = sizeMax;
    this.channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND);
    setMode(path);
    this.written = channel.size();
  }

  private static void setMode(Path path) {
    try {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-r-----"));
    } catch (IOException | UnsupportedOperationException e) {
      MonitorLog.debug("could not set the mode of " + path + ": " + e.getMessage());
    }
  }

  /** Writes {@code len} bytes that {@code stream} ("stdout" or "stderr") produced. */
  public synchronized void write(String stream, byte[] buf, int len) throws IOException {
    byte[] header = (TIMESTAMP.format(ZonedDateTime.ofInstant(Instant.now(), zone)) + " "
        + stream + " ").getBytes(StandardCharsets.US_ASCII);
    int start = 0;
    while (start < len) {
      int end = start;
      while (end < len && buf[end] != '\n') {
        end++;
      }
      boolean partial = end == len;
      int lineLength = partial ? len - start : end - start + 1;
      long recordLength = lineLength + HEADER_LENGTH + 2 + (partial ? 1 : 0);
      if (sizeMax > 0 && written + recordLength > sizeMax) {
        flush();
        startOver();
      }
      ensureRoom(header.length + 2 + lineLength + 1);
      out.put(header).put((byte) (partial ? 'P' : 'F')).put((byte) ' ');
      out.put(buf, start, lineLength);
      if (partial) {
        out.put((byte) '\n');
      }
      written += recordLength;
      start += lineLength;
    }
    flush();
  }

  private void ensureRoom(int needed) throws IOException {
    if (out.remaining() >= needed) {
      return;
    }
    flush();
    if (out.capacity() < needed) {
      out = ByteBuffer.allocateDirect(needed);
    }
  }

  private void flush() throws IOException {
    out.flip();
    while (out.hasRemaining()) {
      channel.write(out);
    }
    out.clear();
  }

  /** Starts a fresh, empty file under the same name (log size limit reached). */
  private void startOver() throws IOException {
    Path fresh = path.resolveSibling(path.getFileName() + ".tmp");
    FileChannel next = FileChannel.open(fresh, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    setMode(fresh);
    Files.move(fresh, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    channel.close();
    channel = next;
    written = 0;
  }

  /**
   * Reopens the log under its name, e.g. after kubelet rotated it away; the new file is
   * started empty, as conmon does.
   */
  public synchronized void reopen() throws IOException {
    flush();
    startOver();
    MonitorLog.info("reopened log " + path);
  }

  /** Forces the written records to disk. */
  public synchronized void sync() {
    try {
      channel.force(false);
    } catch (IOException e) {
      MonitorLog.warn("syncing log " + path + ": " + e.getMessage());
    }
  }

  @Override
  public synchronized void close() throws IOException {
    flush();
    channel.close();
  }
}
