package io.pier.image;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Two docker-registry processes on free loopback ports, one open and one behind htpasswd
 * basic auth, holding the test images that test-images/testimages.py builds; started once
 * per test JVM and stopped by PID when it exits.
 */
public final class TestRegistries {

  /** The user the auth registry accepts. */
  public static final String USER = "pier";
  /** That user's password. */
  public static final String PASSWORD = "s3cret-pa55word";

  private static TestRegistries instance;

  /** {@code 127.0.0.1:port} of the open registry. */
  public final String open;
  /** {@code 127.0.0.1:port} of the registry requiring {@link #USER}. */
  public final String auth;
  /** The directory the OCI layouts were built in. */
  public final Path layouts;

  private final List<Process> processes = new ArrayList<>();

  private TestRegistries(Path work) throws Exception {
    LayerUnpacker.delete(work);
    Files.createDirectories(work);
    layouts = work.resolve("layouts");
    run(List.of("python3", script().toString(), "build", layouts.toString()));
    Path htpasswd = work.resolve("htpasswd");
    run(List.of("sh", "-c", "htpasswd -Bbn " + USER + " '" + PASSWORD + "' > " + htpasswd));
    open = start(work.resolve("open"), List.of());
    auth = start(work.resolve("auth"), List.of("--htpasswd", htpasswd.toString()));
    Runtime.getRuntime().addShutdownHook(new Thread(this::stop));
    run(List.of("python3", script().toString(), "push", layouts.toString(), open));
    run(List.of("python3", script().toString(), "push", layouts.toString(), auth,
        "--creds", USER + ":" + PASSWORD));
  }

  /** The registries, started on first use. */
  public static synchronized TestRegistries get() {
    if (instance == null) {
      try {
        instance = new TestRegistries(Path.of("target/test-registries").toAbsolutePath());
      } catch (Exception e) {
        throw new IllegalStateException("starting test registries: " + e.getMessage(), e);
      }
    }
    return instance;
  }

  /** The test-images script. */
  public static Path script() {
    return Path.of("test-images/testimages.py").toAbsolutePath();
  }

  /** A loopback port nothing listens on right now. */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private String start(Path dir, List<String> extra) throws Exception {
    String address = "127.0.0.1:" + freePort();
    processes.add(startRegistry(dir, address, extra));
    return address;
  }

  /**
   * Starts docker-registry through the test-images script on {@code address}, storing in
   * {@code dir}, and waits until it answers; the caller stops the returned process.
   */
  public static Process startRegistry(Path dir, String address, List<String> extra)
      throws Exception {
    List<String> command = new ArrayList<>(List.of("python3", script().toString(), "serve",
        dir.toString(), address));
    command.addAll(extra);
    Files.createDirectories(dir);
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolveSibling(dir.getFileName() + ".log").toFile()).start();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        // Any HTTP answer will do: a TLS registry answers plain HTTP with 400.
        HttpURLConnection c = (HttpURLConnection) URI.create("http://" + address + "/v2/")
            .toURL().openConnection();
        c.setConnectTimeout(500);
        c.getResponseCode();
        return p;
      } catch (IOException e) {
        // Not listening yet.
      }
      if (!p.isAlive()) {
        throw new IllegalStateException("docker-registry exited with " + p.exitValue());
      }
      Thread.sleep(100);
    }
    p.destroy();
    throw new IllegalStateException("docker-registry did not answer on " + address);
  }

  private void stop() {
    for (Process p : processes) {
      p.destroy();
      try {
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Runs a command, failing with its output when it exits non-zero. */
  public static String run(List<String> command) throws IOException, InterruptedException {
    // stderr apart: crictl warns there when the node has no /etc/crictl.yaml.
    Path err = Files.createTempFile("pier-run", ".err");
    try {
      Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + out
            + Files.readString(err));
      }
      return out;
    } finally {
      Files.deleteIfExists(err);
    }
  }
}
