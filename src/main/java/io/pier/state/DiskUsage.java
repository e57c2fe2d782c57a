package io.pier.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.Set;

/** Bytes and inodes used below a directory, each hardlinked inode counted once. */
public record DiskUsage(long bytes, long inodes) {

  /** Measures a directory tree; a missing directory uses nothing. */
  public static DiskUsage of(Path dir) {
    if (!Files.exists(dir)) {
      return new DiskUsage(0, 0);
    }
    long[] totals = new long[2];
    Set<Object> seen = new HashSet<>();
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
          count(attrs);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          count(attrs);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
          // Files vanish while we walk (a layer being removed): not an error.
          if (e instanceof NoSuchFileException) {
            return FileVisitResult.CONTINUE;
          }
          throw e;
        }

        private void count(BasicFileAttributes attrs) {
          Object key = attrs.fileKey();
          if (key == null || seen.add(key)) {
            totals[0] += attrs.size();
            totals[1]++;
          }
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("measuring disk usage of " + dir, e);
    }
    return new DiskUsage(totals[0], totals[1]);
  }
}
