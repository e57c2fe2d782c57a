package io.pier.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pier.system.HostCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** An OCI bundle whose root file system is Debian's static busybox, for tests with runc. */
public final class BusyboxBundle {

  private BusyboxBundle() {}

  /** Writes a bundle in {@code dir} running {@code args} without a terminal. */
  public static Path create(Path dir, List<String> args) throws Exception {
    Path rootfs = Files.createDirectories(dir.resolve("rootfs"));
    Files.createDirectories(rootfs.resolve("bin"));
    Files.copy(Path.of("/bin/busybox"), rootfs.resolve("bin/busybox"));
    for (String d : List.of("proc", "sys", "dev", "tmp", "etc")) {
      Files.createDirectories(rootfs.resolve(d));
    }
    HostCommand.Result spec = HostCommand.of("runc", "spec", "--bundle", dir.toString()).run();
    if (!spec.succeeded()) {
      throw new IllegalStateException("runc spec: " + spec.explanation());
    }
    ObjectMapper json = new ObjectMapper();
    ObjectNode config = (ObjectNode) json.readTree(dir.resolve("config.json").toFile());
    ObjectNode process = (ObjectNode) config.get("process");
    process.put("terminal", false);
    process.set("args", json.valueToTree(args));
    // This machine's hard limit on open files is below runc's default spec.
    process.remove("rlimits");
    json.writeValue(dir.resolve("config.json").toFile(), config);
    return dir;
  }
}
