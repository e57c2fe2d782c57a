package io.pier.monitor.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/** Reads a CRI log file back into records, checking each record's shape. */
public final class CriLog {
  private static final Pattern TIMESTAMP =
      Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}[+-]\\d\\d:\\d\\d");

  private CriLog() {}

  /** One log record. */
  public record Entry(String timestamp, String stream, boolean partial, byte[] content) {
    /** The content as text. */
    public String text() {
      return new String(content, StandardCharsets.ISO_8859_1);
    }
  }

  /** Parses {@code file}, failing on any malformed record. */
  public static List<Entry> parse(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    List<Entry> entries = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < all.length; i++) {
      if (all[i] != '\n') {
        continue;
      }
      byte[] line = Arrays.copyOfRange(all, start, i);
      start = i + 1;
      String head = new String(line, 0, Math.min(line.length, 48), StandardCharsets.ISO_8859_1);
      String[] f = head.split(" ", 4);
      if (f.length < 3 || !TIMESTAMP.matcher(f[0]).matches()
          || !(f[1].equals("stdout") || f[1].equals("stderr"))
          || !(f[2].equals("P") || f[2].equals("F"))) {
        throw new AssertionError("malformed log record: " + head);
      }
      int contentStart = f[0].length() + f[1].length() + f[2].length() + 3;
      entries.add(new Entry(f[0], f[1], f[2].equals("P"),
          Arrays.copyOfRange(line, Math.min(contentStart, line.length), line.length)));
    }
    if (start != all.length) {
      throw new AssertionError("log ends without a newline");
    }
    return entries;
  }

  /** Puts one stream's output back together: P records as they are, F records plus "\n". */
  public static byte[] stream(List<Entry> entries, String stream) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Entry e : entries) {
      if (e.stream().equals(stream)) {
        out.writeBytes(e.content());
        if (!e.partial()) {
          out.write('\n');
        }
      }
    }
    return out.toByteArray();
  }

  /** One stream's output as text. */
  public static String text(List<Entry> entries, String stream) {
    return new String(stream(entries, stream), StandardCharsets.ISO_8859_1);
  }
}
