package io.pier.cri;

import io.pier.container.Container;
import io.pier.container.ContainerManager;
import io.pier.cri.v1.AttachRequest;
import io.pier.cri.v1.AttachResponse;
import io.pier.cri.v1.ExecRequest;
import io.pier.cri.v1.ExecResponse;
import io.pier.cri.v1.PortForwardRequest;
import io.pier.cri.v1.PortForwardResponse;
import io.pier.FailedPreconditionException;
import io.pier.sandbox.Sandbox;
import io.pier.sandbox.SandboxManager;
import io.pier.stream.StreamRequest;
import io.pier.stream.StreamServer;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/** The streaming RPCs: check the target, hand out a URL on the streaming server. */
@ApplicationScoped
class StreamingHandler {

  private static final Logger LOG = Logger.getLogger(StreamingHandler.class);

  private final ContainerManager containers;
  private final SandboxManager sandboxes;
  private final StreamServer server;

  StreamingHandler(ContainerManager containers, SandboxManager sandboxes, StreamServer server) {
    this.containers = containers;
    this.sandboxes = sandboxes;
    this.server = server;
  }

  ExecResponse exec(ExecRequest request) {
    Container container = containers.running(request.getContainerId(), "exec");
    checkStreams("exec in container " + container.id(), request.getStdin(),
        request.getStdout(), request.getStderr(), request.getTty());
    if (request.getCmdCount() == 0) {
      throw new IllegalArgumentException("exec in container " + container.id()
          + ": the command is empty");
    }
    LOG.debugf("Exec %s in container %s", request.getCmdList(), container.id());
    return ExecResponse.newBuilder().setUrl(server.url(new StreamRequest.Exec(container.id(),
        request.getCmdList(), request.getTty(), request.getStdin(), request.getStdout(),
        request.getStderr()))).build();
  }

  AttachResponse attach(AttachRequest request) {
    Container container = containers.running(request.getContainerId(), "attach");
    checkStreams("attach to container " + container.id(), request.getStdin(),
        request.getStdout(), request.getStderr(), request.getTty());
    LOG.debugf("Attach to container %s", container.id());
    return AttachResponse.newBuilder().setUrl(server.url(new StreamRequest.Attach(
        container.id(), request.getTty(), request.getStdin(), request.getStdout(),
        request.getStderr()))).build();
  }

  PortForwardResponse portForward(PortForwardRequest request) {
    Sandbox sandbox = sandboxes.get(request.getPodSandboxId());
    if (sandbox.state() != Sandbox.State.READY) {
      throw new FailedPreconditionException("pod " + sandbox.id()
          + " is not ready; port-forward needs a ready pod");
    }
    LOG.debugf("PortForward to pod %s ports %s", sandbox.id(), request.getPortList());
    return PortForwardResponse.newBuilder()
        .setUrl(server.url(new StreamRequest.PortForward(sandbox.id()))).build();
  }

  private static void checkStreams(String what, boolean stdin, boolean stdout, boolean stderr,
      boolean tty) {
    if (!stdin && !stdout && !stderr) {
      throw new IllegalArgumentException(what + ": one of stdin, stdout and stderr is needed");
    }
    if (tty && stderr) {
      throw new IllegalArgumentException(what + ": with a tty there is no separate stderr");
    }
  }
}
