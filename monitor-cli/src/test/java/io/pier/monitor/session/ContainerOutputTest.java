package io.pier.monitor.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pier.monitor.testing.CriLog;
import io.pier.monitor.testing.Host;
import io.pier.monitor.testing.Scenario;
import io.pier.monitor.testing.TestBundle;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a container writes reaches the CRI log intact, through piermon and real runc. */
class ContainerOutputTest {
  @TempDir
  Path dir;

  @Test
  void linesWithAndWithoutTrailingNewline() throws Exception {
    Scenario.Outcome out = Scenario.run(Host.PIERMON, dir,
        TestBundle.Spec.of("sh", "-c", "echo one; echo two; printf 'no newline'"), List.of());

    assertEquals("one\ntwo\nno newline", CriLog.text(out.log(), "stdout"));
    List<CriLog.Entry> stdout = out.log().stream().filter(e -> e.stream().equals("stdout"))
        .toList();
    assertTrue(stdout.getLast().partial(), "the last chunk has no newline, so it is a P record");
    assertEquals("no newline", stdout.getLast().text());
    assertTrue(stdout.stream().filter(e -> e.text().equals("one")).allMatch(e -> !e.partial()));
  }

  @Test
  void longLineIsSplitIntoPartialRecords() throws Exception {
    // 65536 'x' and then a newline, written by one dd call.
    Scenario.Outcome out = Scenario.run(Host.PIERMON, dir, TestBundle.Spec.of("sh", "-c",
        "head -c 65536 /dev/zero | tr '\\0' x; echo"), List.of());

    String text = CriLog.text(out.log(), "stdout");
    assertEquals("x".repeat(65536) + "\n", text);
    List<CriLog.Entry> records = out.log().stream().filter(e -> e.stream().equals("stdout"))
        .toList();
    assertTrue(records.size() >= 8, "a 64 KiB line needs at least 8 records of 8 KiB");
    assertTrue(records.subList(0, records.size() - 1).stream().allMatch(CriLog.Entry::partial));
    assertTrue(records.stream().allMatch(e -> e.content().length <= 8192));
  }

  @Test
  void binaryBytesPassUnchanged() throws Exception {
    Scenario.Outcome out = Scenario.run(Host.PIERMON, dir, TestBundle.Spec.of("sh", "-c",
        "printf '\\000\\001\\002\\377\\376\\r\\t\\033[0m end\\n'"), List.of());

    byte[] expected = {0, 1, 2, (byte) 0xff, (byte) 0xfe, '\r', '\t', 0x1b, '[', '0', 'm', ' ',
        'e', 'n', 'd', '\n'};
    assertArrayEquals(expected, CriLog.stream(out.log(), "stdout"));
  }

  @Test
  void stdoutAndStderrInterleaved() throws Exception {
    Scenario.Outcome out = Scenario.run(Host.PIERMON, dir, TestBundle.Spec.of("sh", "-c",
        "for i in 1 2 3 4 5; do echo out$i; sleep 0.1; echo err$i >&2; sleep 0.1; done"),
        List.of());

    assertEquals("out1\nout2\nout3\nout4\nout5\n", CriLog.text(out.log(), "stdout"));
    assertEquals("err1\nerr2\nerr3\nerr4\nerr5\n", CriLog.text(out.log(), "stderr"));
    List<String> order = out.log().stream().map(CriLog.Entry::text).toList();
    assertEquals(List.of("out1", "err1", "out2", "err2", "out3", "err3", "out4", "err4", "out5",
        "err5"), order, "records keep the order the container wrote them in");
    for (int i = 1; i < out.log().size(); i++) {
      assertTrue(out.log().get(i - 1).timestamp().compareTo(out.log().get(i).timestamp()) <= 0);
    }
  }

  @Test
  void logSizeMaxStartsTheFileOver() throws Exception {
    Scenario.Outcome out = Scenario.run(Host.PIERMON, dir, TestBundle.Spec.of("sh", "-c",
        "seq 1 2000"), List.of("--log-size-max", "4096"));

    long size = out.log().stream().mapToLong(e -> e.content().length + 45L).sum();
    assertTrue(size <= 4096, "log holds " + size + " bytes, limit 4096");
    assertEquals("2000", out.log().getLast().text(), "the newest lines are kept");
    assertTrue(out.log().size() < 2000, "older lines were dropped");
  }
}
