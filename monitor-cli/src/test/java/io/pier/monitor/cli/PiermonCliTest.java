package io.pier.monitor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pier.monitor.testing.Host;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line through the packaged launcher: what is refused, and how. */
class PiermonCliTest {
  private static Host.Result piermon(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Host.PIERMON.toString());
    cmd.addAll(List.of(args));
    return Host.run(cmd);
  }

  private static void assertRefused(String expected, String... args) throws Exception {
    Host.Result r = piermon(args);
    assertNotEquals(0, r.exitCode(), r.output());
    assertEquals(1, r.output().lines().count(), "one line: " + r.output());
    assertTrue(r.output().startsWith("piermon: "), r.output());
    assertTrue(r.output().contains(expected), r.output());
  }

  @Test
  void versionReadsLikeConmonsFirstLine() throws Exception {
    Host.Result r = piermon("--version");
    assertEquals(0, r.exitCode());
    assertTrue(r.output().startsWith("conmon version 2."), r.output());
    assertTrue(r.output().contains("piermon"), r.output());
  }

  @Test
  void missingContainerId() throws Exception {
    assertRefused("--cid", "-u", "x", "-r", Host.RUNC.toString());
  }

  @Test
  void missingUuid() throws Exception {
    assertRefused("--cuuid", "-c", "x", "-r", Host.RUNC.toString());
  }

  @Test
  void missingRuntime() throws Exception {
    assertRefused("--runtime", "-c", "x", "-u", "x");
  }

  @Test
  void runtimeThatIsNoExecutable(@TempDir Path dir) throws Exception {
    Path plain = Files.writeString(dir.resolve("not-a-runtime"), "text");
    assertRefused(plain.toString(), "-c", "x", "-u", "x", "-r", plain.toString());
  }

  @Test
  void runtimeThatDoesNotExist() throws Exception {
    assertRefused("/no/such/runc", "-c", "x", "-u", "x", "-r", "/no/such/runc");
  }

  @Test
  void unknownFlag() throws Exception {
    assertRefused("--no-such-flag", "-c", "x", "-u", "x", "-r", Host.RUNC.toString(),
        "--no-such-flag");
  }

  @Test
  void badNumber() throws Exception {
    assertRefused("--log-size-max", "-c", "x", "-u", "x", "-r", Host.RUNC.toString(),
        "--log-size-max", "lots");
  }

  @Test
  void unsupportedLogDriver() throws Exception {
    assertRefused("journald", "-c", "x", "-u", "x", "-r", Host.RUNC.toString(),
        "-l", "journald:/x");
  }

  @Test
  void execWithoutProcessSpec() throws Exception {
    assertRefused("--exec-process-spec", "-c", "x", "-u", "x", "-r", Host.RUNC.toString(),
        "-e");
  }

  @Test
  void negativeExitDelay() throws Exception {
    assertRefused("--exit-delay", "-c", "x", "-u", "x", "-r", Host.RUNC.toString(),
        "--exit-delay", "-1");
  }
}
