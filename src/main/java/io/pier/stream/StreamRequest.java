package io.pier.stream;

import java.util.List;

/** What a streaming URL was handed out for: exec, attach or port-forward, as kubelet asked. */
public sealed interface StreamRequest {

  /** A new process in a running container. */
  record Exec(String containerId, List<String> command, boolean tty, boolean stdin,
      boolean stdout, boolean stderr) implements StreamRequest {}

  /** The stdio of a running container's own process. */
  record Attach(String containerId, boolean tty, boolean stdin, boolean stdout, boolean stderr)
      implements StreamRequest {}

  /** TCP connections to ports inside a pod's network namespace. */
  record PortForward(String sandboxId) implements StreamRequest {}

  /** The URL path this kind of request is served under. */
  default String pathPrefix() {
    return switch (this) {
      case Exec e -> "/exec/";
      case Attach a -> "/attach/";
      case PortForward p -> "/portforward/";
    };
  }
}
