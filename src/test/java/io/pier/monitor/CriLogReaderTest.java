package io.pier.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading exec output back from the CRI log a monitor wrote. */
class CriLogReaderTest {

  @TempDir
  Path dir;

  @Test
  void partialRecordsJoinAndStreamsSeparate() throws Exception {
    Path log = dir.resolve("exec.log");
    Files.writeString(log, """
        2026-12-03T10:00:00.000000001Z stdout P hello\s
        2026-12-03T10:00:00.000000002Z stderr F oops
        2026-12-03T10:00:00.000000003Z stdout F world
        2026-12-03T10:00:00.000000004Z stdout F\s
        2026-12-03T10:00:00.000000005Z stdout P no newline at the end
        """);

    assertEquals("hello world\n\nno newline at the end",
        new String(CriLogReader.stream(log, "stdout"), StandardCharsets.UTF_8));
    assertEquals("oops\n", new String(CriLogReader.stream(log, "stderr"),
        StandardCharsets.UTF_8));
  }

  @Test
  void missingLogIsEmptyOutput() {
    assertEquals(0, CriLogReader.stream(dir.resolve("none"), "stdout").length);
  }
}
