package io.pier.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A pierd started from the packaged distribution, on its own socket, roots and port. */
final class PierdProcess implements AutoCloseable {

  /** The packaged distribution, set by the failsafe configuration. */
  static final Path DIST = Path.of(System.getProperty("pier.dist", "target/pier"));

  private final Path home;
  private final Map<String, String> env = new HashMap<>();
  private final List<String> args = new ArrayList<>();
  private Process process;

  /** A daemon whose state lives under {@code home}; nothing is started yet. */
  PierdProcess(Path home) throws IOException {
    this.home = Files.createDirectories(home);
    env.put("PIER_SOCKET", home.resolve("run/pier.sock").toString());
    env.put("PIER_ROOT", home.resolve("root").toString());
    env.put("PIER_RUN_ROOT", home.resolve("run").toString());
    env.put("PIER_MANAGEMENT_PORT", Integer.toString(freePort()));
    env.put("PIER_MONITOR", DIST.resolve("bin/piermon").toAbsolutePath().toString());
    env.put("PIER_CNI_CONFIG_DIR", DIST.resolve("etc/cni/net.d").toAbsolutePath().toString());
  }

  PierdProcess env(String key, String value) {
    env.put(key, value);
    return this;
  }

  /** Leaves a variable this helper sets by default out of pierd's environment. */
  PierdProcess unset(String key) {
    env.remove(key);
    return this;
  }

  PierdProcess arg(String value) {
    args.add(value);
    return this;
  }

  Path socket() {
    return Path.of(env.get("PIER_SOCKET"));
  }

  String endpoint() {
    return "unix://" + socket();
  }

  int managementPort() {
    return Integer.parseInt(env.get("PIER_MANAGEMENT_PORT"));
  }

  Path log() {
    return home.resolve("pierd.log");
  }

  /** Starts pierd without waiting for it. */
  PierdProcess launch() throws IOException {
    List<String> command = new ArrayList<>();
    command.add(DIST.resolve("bin/pierd").toAbsolutePath().toString());
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log().toFile());
    builder.environment().putAll(env);
    process = builder.start();
    return this;
  }

  /** Starts pierd and waits until its socket answers. */
  PierdProcess start() throws IOException, InterruptedException {
    launch();
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("pierd exited with " + process.exitValue() + ": "
            + Files.readString(log()));
      }
      if (answers(socket()) && managementAnswers()) {
        return this;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("pierd did not serve " + socket() + " within 60s: "
        + Files.readString(log()));
  }

  /** Waits for a daemon expected to give up, and returns its exit code. */
  int awaitExit() throws InterruptedException {
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("pierd still running after 60s");
    }
    return process.exitValue();
  }

  String output() throws IOException {
    return Files.readString(log());
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** Kills the daemon we started with SIGKILL, as a crash would end it. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  /** Stops the daemon we started, by its PID (SIGTERM, then SIGKILL). */
  @Override
  public void close() throws InterruptedException {
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** Whether the management interface answers liveness, i.e. start-up has completed. */
  boolean managementAnswers() {
    try (java.net.Socket probe = new java.net.Socket(InetAddress.getLoopbackAddress(),
        managementPort())) {
      probe.getOutputStream().write(("GET /q/health/live HTTP/1.0\r\n\r\n").getBytes());
      return new String(probe.getInputStream().readAllBytes()).startsWith("HTTP/1.0 200");
    } catch (IOException e) {
      return false;
    }
  }

  static boolean answers(Path socket) {
    if (!Files.exists(socket)) {
      return false;
    }
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      return channel.connect(UnixDomainSocketAddress.of(socket));
    } catch (IOException e) {
      return false;
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
