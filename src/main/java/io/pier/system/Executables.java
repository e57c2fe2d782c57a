package io.pier.system;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds a configured program: a path as given, a bare name in {@code PATH} as a shell would. */
public final class Executables {

  /** Searched after {@code PATH}: root's own directories, which a service's PATH may lack. */
  private static final String SYSTEM_DIRS = "/usr/local/sbin:/usr/sbin:/sbin";

  private Executables() {}

  /** Whether the setting is a bare name, looked up in {@code PATH}, rather than a path. */
  public static boolean isBareName(String configured) {
    return !configured.contains("/");
  }

  /** The executable file the setting names, or empty when there is none. */
  public static Optional<Path> find(String configured) {
    if (!isBareName(configured)) {
      Path path = Path.of(configured);
      return Files.isRegularFile(path) && Files.isExecutable(path)
          ? Optional.of(path) : Optional.empty();
    }
    String pathVar = System.getenv().getOrDefault("PATH", "/usr/local/sbin:/usr/sbin:/usr/bin");
    for (String dir : (pathVar + ":" + SYSTEM_DIRS).split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, configured);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
