package io.pier.system;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A host program run to completion: arguments, extra environment, optional stdin, a deadline. */
public final class HostCommand {

  /** What a finished command printed and how it ended. */
  public record Result(int exitCode, String stdout, String stderr) {

    /** Whether the command exited with status 0. */
    public boolean succeeded() {
      return exitCode == 0;
    }

    /** The command's own explanation: stderr, else stdout, trimmed to one line. */
    public String explanation() {
      String text = stderr.isBlank() ? stdout : stderr;
      return text.strip().replaceAll("\\s*\\n\\s*", "; ");
    }
  }

  private final List<String> argv;
  private final Map<String, String> env = new LinkedHashMap<>();
  private byte[] stdin = new byte[0];
  private Duration timeout = Duration.ofMinutes(2);

  private HostCommand(List<String> argv) {
    this.argv = List.copyOf(argv);
  }

  /** A command with its program and arguments. */
  public static HostCommand of(String... argv) {
    return new HostCommand(List.of(argv));
  }

  /** A command with its program and arguments. */
  public static HostCommand of(List<String> argv) {
    return new HostCommand(argv);
  }

  /** Adds an environment variable on top of pierd's own environment. */
  public HostCommand env(String key, String value) {
    env.put(key, value);
    return this;
  }

  /** Bytes written to the command's stdin, which is then closed. */
  public HostCommand stdin(String text) {
    this.stdin = text.getBytes(StandardCharsets.UTF_8);
    return this;
  }

  /** How long the command may run before it is killed. */
  public HostCommand timeout(Duration limit) {
    this.timeout = limit;
    return this;
  }

  /** The program and its arguments, for messages. */
  public List<String> argv() {
    return argv;
  }

  /** Runs the command and waits for it; a command past its deadline is killed and reported. */
  public Result run() {
    ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(argv));
    builder.environment().putAll(env);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("starting " + argv.get(0), e);
    }
    CompletableFuture<String> out = drain(process.getInputStream());
    CompletableFuture<String> err = drain(process.getErrorStream());
    try (OutputStream in = process.getOutputStream()) {
      in.write(stdin);
    } catch (IOException e) {
      // The program may exit without reading its stdin; its exit status tells the story.
    }
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
        throw new IllegalStateException(argv.get(0) + " did not finish within " + timeout);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for " + argv.get(0), e);
    }
    return new Result(process.exitValue(), out.join(), err.join());
  }

  private static CompletableFuture<String> drain(InputStream stream) {
    return CompletableFuture.supplyAsync(() -> {
      try (stream) {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "";
      }
    });
  }
}
