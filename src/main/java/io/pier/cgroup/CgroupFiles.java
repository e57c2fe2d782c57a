package io.pier.cgroup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Reads the interface files of a cgroup: single numbers and "key value" lists. */
final class CgroupFiles {

  private CgroupFiles() {}

  /** The number a file holds, or empty when the file (or its cgroup) is gone. */
  static Optional<Long> number(Path file) {
    return text(file).map(String::strip).map(CgroupFiles::parse);
  }

  /** The "key value" lines of a file such as memory.stat, or empty when it is gone. */
  static Optional<Map<String, Long>> keyed(Path file) {
    return text(file).map(text -> {
      Map<String, Long> values = new HashMap<>();
      for (String line : text.split("\n")) {
        String[] fields = line.strip().split("\\s+");
        if (fields.length == 2) {
          values.put(fields[0], parse(fields[1]));
        }
      }
      return values;
    });
  }

  private static Optional<String> text(Path file) {
    try {
      return Optional.of(Files.readString(file));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      // A cgroup removed while we read it answers ENODEV rather than ENOENT.
      if (!Files.exists(file.getParent())) {
        return Optional.empty();
      }
      throw new UncheckedIOException("reading " + file, e);
    }
  }

  /** v2 writes "max" for no limit; counters never exceed a long in practice. */
  private static long parse(String value) {
    if (value.equals("max")) {
      return Long.MAX_VALUE;
    }
    try {
      return Long.parseUnsignedLong(value);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
