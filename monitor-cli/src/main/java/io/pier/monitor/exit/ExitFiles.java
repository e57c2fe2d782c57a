package io.pier.monitor.exit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes files that a watcher must never see half-written: a temporary name, then a rename. */
public final class ExitFiles {
  private ExitFiles() {}

  /** Writes {@code content} to {@code target} atomically. */
  public static void writeAtomically(Path target, String content) throws IOException {
    // The temporary file sits beside the target (same file system, so the rename is atomic)
    // and starts with a dot, so watchers that list exit files skip it.
    Path tmp = target.resolveSibling("." + target.getFileName() + ".piermon-"
        + ProcessHandle.current().pid());
    try {
      Files.writeString(tmp, content, StandardCharsets.US_ASCII);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Creates an empty marker file (such as "oom") if it is not there yet. */
  public static void touch(Path target) throws IOException {
    try {
      Files.createFile(target);
    } catch (java.nio.file.FileAlreadyExistsException e) {
      // Already marked.
    }
  }
}
