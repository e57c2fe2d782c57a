package io.pier.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator scripts under scripts/, run for real against temporary directories. */
class ScriptsIT {

  private static final Path SCRIPTS = Path.of("scripts").toAbsolutePath();

  @TempDir
  Path tmp;

  /** What a script printed (stdout and stderr together) and how it ended. */
  record Result(int exitCode, String output) {}

  @Test
  void installPierSeesAnExistingNetworkOfAnyKind() throws Exception {
    for (String existing : List.of("87-podman-bridge.conflist", "10-flannel.conf",
        "99-loopback.json")) {
      Path dir = Files.createDirectories(tmp.resolve(existing + ".d"));
      Files.writeString(dir.resolve(existing), "{}");
      assertEquals(0, hasCniNetwork(dir).exitCode(), existing);
    }
    Path none = Files.createDirectories(tmp.resolve("none"));
    Files.writeString(none.resolve("README"), "no network here");
    assertEquals(1, hasCniNetwork(none).exitCode());
  }

  private Result hasCniNetwork(Path dir) throws Exception {
    return run(Map.of(), "sh", "-c", ". \"$0/lib.sh\"; has_cni_network \"$1\"",
        SCRIPTS.toString(), dir.toString());
  }

  private static Result run(Map<String, String> env, String... command) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " still running after 120s");
    }
    return new Result(process.exitValue(), output);
  }
}
