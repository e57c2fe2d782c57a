package io.pier.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pier.state.StateDirectories;
import io.pier.system.HostCommand;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Calls the OCI runtime (runc's command line, which crun shares) for the operations pierd
 * does itself and the command line of a streaming exec; creating containers and ExecSync are
 * the monitor's job. Pier keeps its containers under its own runtime root so they never mix
 * with another runtime's.
 */
@ApplicationScoped
public class RuntimeClient {

  /** runc's text log lines carry the message in {@code msg="..."}. */
  private static final Pattern MESSAGE = Pattern.compile("msg=\"((?:[^\"\\\\]|\\\\.)*)\"");

  private final OciRuntime runtime;
  private final Path runtimeRoot;
  private final ObjectMapper json;

  RuntimeClient(OciRuntime runtime, StateDirectories dirs, ObjectMapper json) {
    this.runtime = runtime;
    this.runtimeRoot = dirs.runRoot().resolve("runc");
    this.json = json;
  }

  /** The runtime's state directory ({@code --root}), to be passed to monitors too. */
  public Path runtimeRoot() {
    return runtimeRoot;
  }

  /** Why the runtime cannot be run, or empty when it can. */
  public Optional<String> problem() {
    return runtime.problem();
  }

  /** The container's runtime state, or empty when the runtime does not know it. */
  public Optional<RuntimeState> state(String id) {
    HostCommand.Result result = command("state", id).run();
    if (!result.succeeded()) {
      if (isNotFound(result)) {
        return Optional.empty();
      }
      throw failure("state", id, result);
    }
    try {
      JsonNode state = json.readTree(result.stdout());
      return Optional.of(new RuntimeState(id,
          RuntimeState.Status.valueOf(state.get("status").asText().toUpperCase(Locale.ROOT)),
          state.path("pid").asInt(0)));
    } catch (IOException e) {
      throw new OciRuntimeException("unreadable state of container " + id + ": "
          + e.getMessage());
    }
  }

  /** Starts a created container's user process. */
  public void start(String id) {
    check("start", id, command("start", id).run());
  }

  /** Sends a signal to the container's init, or with {@code all} to all its processes. */
  public void kill(String id, String signal, boolean all) {
    HostCommand.Result result = all
        ? command("kill", "--all", id, signal).run()
        : command("kill", id, signal).run();
    if (!result.succeeded() && !isNotFound(result) && !alreadyStopped(result)) {
      throw failure("kill", id, result);
    }
  }

  /** Deletes the container from the runtime; a container it does not know is not an error. */
  public void delete(String id) {
    HostCommand.Result result = command("delete", "--force", id).run();
    if (!result.succeeded() && !isNotFound(result)) {
      throw failure("delete", id, result);
    }
  }

  /** Applies new resource limits, given as an OCI {@code LinuxResources} JSON document. */
  public void update(String id, String resourcesJson) {
    check("update", id, command("update", "--resources", "-", id).stdin(resourcesJson).run());
  }

  /**
   * The command line that runs a process in a container in the foreground and exits with its
   * exit code; the runtime writes the process's host PID to {@code pidFile}.
   */
  public List<String> execCommand(String id, Path processSpec, Path pidFile) {
    return List.of(runtime.binary().map(Path::toString).orElse(runtime.configured()),
        "--root", runtimeRoot.toString(), "exec", "--process", processSpec.toString(),
        "--pid-file", pidFile.toString(), id);
  }

  private HostCommand command(String... args) {
    List<String> argv = new ArrayList<>();
    argv.add(runtime.binary().map(Path::toString).orElse(runtime.configured()));
    argv.add("--root");
    argv.add(runtimeRoot.toString());
    argv.addAll(List.of(args));
    return HostCommand.of(argv);
  }

  private void check(String operation, String id, HostCommand.Result result) {
    if (!result.succeeded()) {
      throw failure(operation, id, result);
    }
  }

  private OciRuntimeException failure(String operation, String id, HostCommand.Result result) {
    return new OciRuntimeException(operation + " of container " + id + " failed: "
        + message(result));
  }

  private static boolean isNotFound(HostCommand.Result result) {
    String text = message(result);
    return text.contains("does not exist") || text.contains("not found");
  }

  private static boolean alreadyStopped(HostCommand.Result result) {
    String text = message(result);
    return text.contains("not running") || text.contains("process already finished");
  }

  /** The runtime's own error message, without its log decoration. */
  static String message(HostCommand.Result result) {
    String error = errorMessage(result.stderr());
    return error.isEmpty() ? result.explanation() : error;
  }

  /**
   * The error in a runtime's log output ({@code time=… level=error msg="…"} lines, as runc
   * writes them): the last error's message, else the last message, else the text on one line.
   * Warnings runc logs before its error (freezer, lstat) are left out.
   */
  public static String errorMessage(String log) {
    String lastError = null;
    String last = null;
    for (String line : log.lines().toList()) {
      Matcher m = MESSAGE.matcher(line);
      if (m.find()) {
        last = m.group(1).replace("\\\"", "\"");
        if (line.contains("level=error") || line.contains("level=fatal")) {
          lastError = last;
        }
      }
    }
    String found = lastError != null ? lastError : last;
    return found != null ? found : log.strip().replaceAll("\\s*\\n\\s*", "; ");
  }
}
