package io.pier.monitor.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real programs the tests drive, and a way to run them. */
public final class Host {
  /** The OCI runtime. */
  public static final Path RUNC = Path.of("/usr/sbin/runc");
  /** The distro's conmon, the reference monitor. */
  public static final Path CONMON = Path.of("/usr/bin/conmon");
  /** The packaged piermon launcher. */
  public static final Path PIERMON =
      Path.of(System.getProperty("piermon.home", "target/piermon"), "bin", "piermon");

  private Host() {}

  /** The result of a finished command. */
  public record Result(int exitCode, String output) {}

  /** Runs {@code command} to completion (at most 60 s), returning exit code and output. */
  public static Result run(String... command) throws IOException, InterruptedException {
    return run(List.of(command));
  }

  /** Runs {@code command} to completion (at most 60 s), returning exit code and output. */
  public static Result run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("timed out: " + command);
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  /** Whether process {@code pid} exists (zombies count as gone). */
  public static boolean alive(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (IOException e) {
      return false;
    }
  }

  /** Waits up to {@code millis} for {@code pid} to be gone; returns whether it went. */
  public static boolean awaitGone(long pid, long millis) throws InterruptedException {
    long end = System.currentTimeMillis() + millis;
    while (alive(pid)) {
      if (System.currentTimeMillis() > end) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }

  /** Waits up to {@code millis} for {@code file} to exist; returns whether it does. */
  public static boolean awaitFile(Path file, long millis) throws InterruptedException {
    long end = System.currentTimeMillis() + millis;
    while (!Files.exists(file)) {
      if (System.currentTimeMillis() > end) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }
}
