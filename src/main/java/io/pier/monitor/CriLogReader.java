package io.pier.monitor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads back a CRI log file a monitor wrote: lines of {@code <time> <stream> <P|F> <text>},
 * where {@code P} marks a part of a longer line and {@code F} the part that ends it.
 */
public final class CriLogReader {

  private CriLogReader() {}

  /** The bytes one stream ({@code stdout} or {@code stderr}) wrote, line ends restored. */
  public static byte[] stream(Path log, String stream) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(log);
    } catch (NoSuchFileException e) {
      return new byte[0];
    } catch (IOException e) {
      throw new UncheckedIOException("reading log " + log, e);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int start = 0;
    while (start < bytes.length) {
      int end = indexOf(bytes, (byte) '\n', start);
      int lineEnd = end < 0 ? bytes.length : end;
      appendRecord(bytes, start, lineEnd, stream, out);
      start = lineEnd + 1;
    }
    return out.toByteArray();
  }

  /** Appends one record's text if it belongs to {@code stream}. */
  private static void appendRecord(byte[] b, int from, int to, String stream,
      ByteArrayOutputStream out) {
    int afterTime = indexOf(b, (byte) ' ', from);
    if (afterTime < 0 || afterTime >= to) {
      return;
    }
    int afterStream = indexOf(b, (byte) ' ', afterTime + 1);
    if (afterStream < 0 || afterStream >= to || afterStream + 2 > to) {
      return;
    }
    String name = new String(b, afterTime + 1, afterStream - afterTime - 1);
    if (!name.equals(stream)) {
      return;
    }
    byte tag = b[afterStream + 1];
    int textStart = Math.min(afterStream + 3, to);
    out.write(b, textStart, to - textStart);
    if (tag == 'F') {
      out.write('\n');
    }
  }

  private static int indexOf(byte[] b, byte value, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] == value) {
        return i;
      }
    }
    return -1;
  }
}
