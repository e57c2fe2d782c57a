package io.pier.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real crictl binary against a CRI endpoint. */
final class Crictl {

  /** What one crictl run printed and how it ended. */
  record Result(int exitCode, String stdout, String stderr) {}

  private Crictl() {}

  /** crictl from {@code CRICTL}, else from {@code PATH}; fails loudly when missing. */
  static String binary(String envName, String fallback) {
    String configured = System.getenv(envName);
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    for (String dir : System.getenv("PATH").split(":")) {
      if (Files.isExecutable(Path.of(dir, fallback))) {
        return Path.of(dir, fallback).toString();
      }
    }
    throw new IllegalStateException(fallback + " not found in PATH; run .ci/run or "
        + "scripts/install-deps to build it");
  }

  /** The command line of one crictl run, for callers that start it themselves. */
  static List<String> command(String crictl, String endpoint, String... args) {
    List<String> command = new ArrayList<>(List.of(crictl, "--runtime-endpoint", endpoint,
        "--image-endpoint", endpoint, "--timeout", "30s"));
    command.addAll(List.of(args));
    return command;
  }

  static Result run(String endpoint, String... args) throws IOException, InterruptedException {
    return runWith(binary("CRICTL", "crictl"), endpoint, args);
  }

  static Result runWith(String crictl, String endpoint, String... args)
      throws IOException, InterruptedException {
    return runWithInput(crictl, endpoint, null, args);
  }

  /** Runs crictl with {@code input} as its stdin (null: no input). */
  static Result runWithInput(String crictl, String endpoint, String input, String... args)
      throws IOException, InterruptedException {
    List<String> command = command(crictl, endpoint, args);
    Path out = Files.createTempFile("crictl", ".out");
    Path err = Files.createTempFile("crictl", ".err");
    Path in = Files.createTempFile("crictl", ".in");
    try {
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectOutput(out.toFile())
          .redirectError(err.toFile());
      if (input != null) {
        Files.writeString(in, input, StandardCharsets.UTF_8);
        builder.redirectInput(in.toFile());
      }
      Process p = builder.start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("crictl " + String.join(" ", args) + " hung");
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
      Files.deleteIfExists(in);
    }
  }
}
