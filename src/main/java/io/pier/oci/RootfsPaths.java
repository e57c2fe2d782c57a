package io.pier.oci;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Resolves a path inside a container's root file system the way the container would see it:
 * symbolic links are followed with the root file system as {@code /}, so an image's
 * {@code /etc/passwd -> /../../host/etc/passwd} never leaves it.
 */
final class RootfsPaths {

  /** As the kernel's limit on links followed in one lookup. */
  private static final int MAX_LINKS = 40;

  private RootfsPaths() {}

  /** The host path of {@code path} inside {@code rootfs}; it need not exist. */
  static Path resolve(Path rootfs, String path) {
    Deque<String> todo = new ArrayDeque<>(split(path));
    List<String> done = new ArrayList<>();
    int links = 0;
    while (!todo.isEmpty()) {
      String part = todo.removeFirst();
      if (part.equals("..")) {
        if (!done.isEmpty()) {
          done.removeLast();
        }
        continue;
      }
      Path candidate = join(rootfs, done).resolve(part);
      if (!Files.isSymbolicLink(candidate)) {
        done.add(part);
        continue;
      }
      if (++links > MAX_LINKS) {
        throw new IllegalArgumentException("too many symbolic links resolving " + path
            + " in the container's root file system");
      }
      String target;
      try {
        target = Files.readSymbolicLink(candidate).toString();
      } catch (IOException e) {
        throw new UncheckedIOException("reading link " + candidate, e);
      }
      if (target.startsWith("/")) {
        done.clear();
      }
      List<String> targetParts = split(target);
      for (int i = targetParts.size() - 1; i >= 0; i--) {
        todo.addFirst(targetParts.get(i));
      }
    }
    return join(rootfs, done);
  }

  private static Path join(Path rootfs, List<String> parts) {
    Path p = rootfs;
    for (String part : parts) {
      p = p.resolve(part);
    }
    return p;
  }

  private static List<String> split(String path) {
    List<String> parts = new ArrayList<>();
    for (String part : path.split("/")) {
      if (!part.isEmpty() && !part.equals(".")) {
        parts.add(part);
      }
    }
    return parts;
  }
}
