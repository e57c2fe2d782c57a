package io.pier.monitor.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** An OCI bundle whose root file system is Debian's static busybox. */
public final class TestBundle {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> APPLETS = List.of("sh", "echo", "cat", "sleep", "printf",
      "head", "tail", "dd", "yes", "true", "false", "kill", "tty", "seq", "tr", "stty");

  private TestBundle() {}

  /** Options for a bundle's config.json. */
  public record Spec(List<String> args, boolean terminal, boolean pidNamespace,
      long memoryLimit, String cgroupsPath) {
    /** A plain container running {@code args}. */
    public static Spec of(String... args) {
      return new Spec(List.of(args), false, true, 0, null);
    }

    /** The same with a terminal. */
    public Spec withTerminal() {
      return new Spec(args, true, pidNamespace, memoryLimit, cgroupsPath);
    }

    /** The same sharing the host's pid namespace, so the process is not an init. */
    public Spec withoutPidNamespace() {
      return new Spec(args, terminal, false, memoryLimit, cgroupsPath);
    }

    /** The same in cgroup {@code path} limited to {@code bytes} of memory. */
    public Spec withMemoryLimit(String path, long bytes) {
      return new Spec(args, terminal, pidNamespace, bytes, path);
    }
  }

  /** Creates the bundle in {@code dir} (rootfs and config.json). */
  public static Path create(Path dir, Spec spec) throws IOException, InterruptedException {
    Path bin = dir.resolve("rootfs/bin");
    Files.createDirectories(bin);
    Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
    for (String applet : APPLETS) {
      Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
    }
    Host.Result r = Host.run(Host.RUNC.toString(), "spec", "--bundle", dir.toString());
    if (r.exitCode() != 0) {
      throw new IOException("runc spec: " + r.output());
    }
    ObjectNode config = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
    ObjectNode process = (ObjectNode) config.get("process");
    process.put("terminal", spec.terminal());
    ArrayNode args = process.putArray("args");
    spec.args().forEach(args::add);
    ((ObjectNode) config.get("root")).put("readonly", true);
    ObjectNode linux = (ObjectNode) config.get("linux");
    if (!spec.pidNamespace()) {
      ArrayNode namespaces = linux.putArray("namespaces");
      for (String ns : List.of("ipc", "uts", "mount", "network")) {
        namespaces.addObject().put("type", ns);
      }
    }
    if (spec.memoryLimit() > 0) {
      linux.put("cgroupsPath", spec.cgroupsPath());
      ObjectNode resources = linux.has("resources")
          ? (ObjectNode) linux.get("resources") : linux.putObject("resources");
      resources.putObject("memory").put("limit", spec.memoryLimit());
    }
    JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), config);
    return dir;
  }

  /** Writes an exec process spec running {@code args} and returns its path. */
  public static Path execSpec(Path file, String... args) throws IOException {
    ObjectNode spec = JSON.createObjectNode();
    spec.put("terminal", false);
    spec.put("cwd", "/");
    ObjectNode user = spec.putObject("user");
    user.put("uid", 0);
    user.put("gid", 0);
    ArrayNode argv = spec.putArray("args");
    for (String a : args) {
      argv.add(a);
    }
    spec.putArray("env").add("PATH=/bin");
    JSON.writeValue(file.toFile(), spec);
    return file;
  }
}
