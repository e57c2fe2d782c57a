package io.pier.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/**
 * What the error stream carries when a remote command ends. Protocol v4 and later send a
 * Kubernetes {@code Status} object (client-go turns {@code NonZeroExitCode} into the exit code
 * of kubectl and crictl); older protocols send a plain message, and nothing on success.
 */
final class ExitStatus {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ExitStatus() {}

  /** The error stream's content for a command that exited with {@code code}. */
  static byte[] exited(String protocol, int code) {
    if (!Protocols.statusOnErrorStream(protocol)) {
      return code == 0 ? new byte[0]
          : ("command terminated with non-zero exit code: " + code)
              .getBytes(StandardCharsets.UTF_8);
    }
    ObjectNode status = JSON.createObjectNode();
    status.putObject("metadata");
    if (code == 0) {
      status.put("status", "Success");
      return bytes(status);
    }
    status.put("status", "Failure");
    status.put("message", "command terminated with non-zero exit code: " + code);
    status.put("reason", "NonZeroExitCode");
    status.putObject("details").putArray("causes").addObject()
        .put("reason", "ExitCode")
        .put("message", Integer.toString(code));
    return bytes(status);
  }

  /** The error stream's content when the command could not run or was cut off. */
  static byte[] failed(String protocol, String message) {
    if (!Protocols.statusOnErrorStream(protocol)) {
      return message.getBytes(StandardCharsets.UTF_8);
    }
    ObjectNode status = JSON.createObjectNode();
    status.putObject("metadata");
    status.put("status", "Failure");
    status.put("message", message);
    status.put("reason", "InternalError");
    status.put("code", 500);
    return bytes(status);
  }

  private static byte[] bytes(ObjectNode status) {
    return status.toString().getBytes(StandardCharsets.UTF_8);
  }
}
