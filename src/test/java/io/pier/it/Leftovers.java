package io.pier.it;

import io.pier.system.HostCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A safety net for failed integration tests: kills the containers and drops the mounts a
 * test's pierd left under its own directory, before JUnit removes that directory. Only
 * objects below the test's directory are touched.
 */
final class Leftovers {

  private Leftovers() {}

  /** Removes runc containers under {@code <dir>/*}/run/runc and mounts below {@code dir}. */
  static void remove(Path dir) throws IOException {
    try (Stream<Path> homes = Files.list(dir)) {
      for (Path runc : homes.map(h -> h.resolve("run/runc")).filter(Files::isDirectory)
          .toList()) {
        String ids = HostCommand.of("runc", "--root", runc.toString(), "list", "-q").run()
            .stdout();
        for (String id : ids.lines().filter(l -> !l.isBlank()).toList()) {
          HostCommand.of("runc", "--root", runc.toString(), "kill", "--all", id, "KILL").run();
          HostCommand.of("runc", "--root", runc.toString(), "delete", "--force", id).run();
        }
      }
    }
    List<String> mounts = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
        .map(line -> line.split(" ")[4])
        .filter(point -> point.startsWith(dir.toString()))
        .sorted(Comparator.reverseOrder())
        .toList();
    for (String point : mounts) {
      HostCommand.of("umount", "-l", point).run();
    }
  }
}
