package io.pier.exit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/** Reads the exit files monitors write: {@code <exit-dir>/<container-id>} holding the code. */
public final class ExitFiles {

  private ExitFiles() {}

  /**
   * The exit recorded in {@code file}, or empty while it is absent or still being written
   * (monitors write a temporary name and rename it, so a partial file is not expected).
   */
  public static Optional<ContainerExit> read(Path file) {
    String name = file.getFileName().toString();
    if (name.startsWith(".") || name.endsWith(".tmp")) {
      return Optional.empty();
    }
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (text.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(new ContainerExit(name, Integer.parseInt(text),
          Files.getLastModifiedTime(file).toInstant()));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | NumberFormatException e) {
      throw new IllegalStateException("unreadable exit file " + file + ": " + e.getMessage(), e);
    }
  }
}
