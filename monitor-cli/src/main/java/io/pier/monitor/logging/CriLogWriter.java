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
  /** Local time to the second, then a '.'; nanoseconds and the offset follow. */
  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.");
  /** The numeric offset as kubelet's parser reads it: "+00:00", never "Z". */
  private static final DateTimeFormatter OFFSET = DateTimeFormatter.ofPattern("xxx");
  /** Length of "2006-01-02T15:04:05.999999999+07:00 stdout ": both stream names have 6 bytes. */
  private static final int HEADER_LENGTH = 43;

  /** The log file's path; it is reopened under this name on request. */
  private final Path path;
  /** The file size at which the log starts over, or -1 for no limit. */
  private final long sizeMax;
  /** The zone used for timestamps. */
  private final ZoneId zone = ZoneId.systemDefault();
  /** The second the cached timestamp parts are for. */
  private long cachedSecond = Long.MIN_VALUE;
  /** "2006-01-02T15:04:05." for the cached second. */
  private byte[] secondPrefix;
  /** "+07:00 " for the cached second. */
  private byte[] offsetSuffix;
  /** The record header of the current chunk: timestamp, stream, space. */
  private final byte[] header = new byte[HEADER_LENGTH];
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
    stampHeader(stream);
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

  /** Fills {@code header} for a chunk read now: one timestamp for all its lines, as conmon. */
  private void stampHeader(String stream) {
    Instant now = Instant.now();
    if (now.getEpochSecond() != cachedSecond) {
      ZonedDateTime local = ZonedDateTime.ofInstant(now, zone);
      secondPrefix = SECONDS.format(local).getBytes(StandardCharsets.US_ASCII);
      offsetSuffix = (OFFSET.format(local) + " ").getBytes(StandardCharsets.US_ASCII);
      cachedSecond = now.getEpochSecond();
    }
    int at = 0;
    System.arraycopy(secondPrefix, 0, header, at, secondPrefix.length);
    at += secondPrefix.length;
    int nanos = now.getNano();
    for (int i = 8; i >= 0; i--) {
      header[at + i] = (byte) ('0' + nanos % 10);
      nanos /= 10;
    }
    at += 9;
    System.arraycopy(offsetSuffix, 0, header, at, offsetSuffix.length);
    at += offsetSuffix.length;
    for (int i = 0; i < 6; i++) {
      header[at + i] = (byte) stream.charAt(i);
    }
    header[at + 6] = ' ';
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
