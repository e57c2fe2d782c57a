package io.pier.monitor.exit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exit files appear whole, under their final name only. */
class ExitFilesTest {
  @TempDir
  Path dir;

  @Test
  void writesTheCodeWithoutNewlineAndLeavesNoTemporaryFile() throws Exception {
    Path target = dir.resolve("abc123");
    ExitFiles.writeAtomically(target, "137");
    assertEquals("137", Files.readString(target));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(target), files.toList());
    }
  }

  @Test
  void replacesAnOlderExitFile() throws Exception {
    Path target = dir.resolve("exit");
    Files.writeString(target, "999999");
    ExitFiles.writeAtomically(target, "0");
    assertEquals("0", Files.readString(target));
  }

  @Test
  void touchKeepsAnExistingMarker() throws Exception {
    Path marker = dir.resolve("oom");
    ExitFiles.touch(marker);
    ExitFiles.touch(marker);
    assertEquals(0, Files.size(marker));
  }
}
