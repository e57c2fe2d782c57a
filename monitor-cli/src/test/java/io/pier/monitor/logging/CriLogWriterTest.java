package io.pier.monitor.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pier.monitor.testing.CriLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CRI log format, record by record. */
class CriLogWriterTest {
  @TempDir
  Path dir;

  private static void write(CriLogWriter w, String stream, String text) throws Exception {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    w.write(stream, b, b.length);
  }

  @Test
  void oneRecordPerLineAndPartialForTheRest() throws Exception {
    Path file = dir.resolve("ctr.log");
    try (CriLogWriter w = new CriLogWriter(file, -1)) {
      write(w, "stdout", "a\nbb\nccc");
      write(w, "stderr", "\n");
    }
    List<CriLog.Entry> log = CriLog.parse(file);
    assertEquals(4, log.size());
    assertEquals("a", log.get(0).text());
    assertEquals("bb", log.get(1).text());
    assertEquals("ccc", log.get(2).text());
    assertTrue(log.get(2).partial());
    assertEquals("stderr", log.get(3).stream());
    assertEquals("", log.get(3).text());
    assertTrue(!log.get(3).partial());
    assertEquals(log.get(0).timestamp(), log.get(2).timestamp(), "one timestamp per chunk");
  }

  @Test
  void appendsToAnExistingLog() throws Exception {
    Path file = dir.resolve("ctr.log");
    try (CriLogWriter w = new CriLogWriter(file, -1)) {
      write(w, "stdout", "first\n");
    }
    try (CriLogWriter w = new CriLogWriter(file, -1)) {
      write(w, "stdout", "second\n");
    }
    assertEquals("first\nsecond\n", CriLog.text(CriLog.parse(file), "stdout"));
    assertEquals("rw-r-----",
        java.nio.file.attribute.PosixFilePermissions.toString(
            Files.getPosixFilePermissions(file)));
  }

  @Test
  void sizeLimitStartsOverBeforeTheRecordThatWouldCrossIt() throws Exception {
    Path file = dir.resolve("ctr.log");
    try (CriLogWriter w = new CriLogWriter(file, 200)) {
      write(w, "stdout", "0123456789\n");
      write(w, "stdout", "abcdefghij\n");
      write(w, "stdout", "ABCDEFGHIJ\n");
      write(w, "stdout", "klmnopqrst\n");
    }
    List<CriLog.Entry> log = CriLog.parse(file);
    assertTrue(Files.size(file) <= 200, "size " + Files.size(file));
    assertEquals("klmnopqrst", log.getLast().text());
    assertEquals(1, log.size(), "each record takes 56 bytes; after 3 the file starts over");
  }

  @Test
  void reopenStartsANewFileUnderTheSameName() throws Exception {
    Path file = dir.resolve("ctr.log");
    Path rotated = dir.resolve("ctr.log.1");
    try (CriLogWriter w = new CriLogWriter(file, -1)) {
      write(w, "stdout", "before\n");
      Files.move(file, rotated);
      w.reopen();
      write(w, "stdout", "after\n");
    }
    assertEquals("before\n", CriLog.text(CriLog.parse(rotated), "stdout"));
    assertEquals("after\n", CriLog.text(CriLog.parse(file), "stdout"));
  }
}
