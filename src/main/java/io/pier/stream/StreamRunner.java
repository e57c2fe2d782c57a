package io.pier.stream;

import io.pier.container.Container;
import io.pier.container.ContainerManager;
import io.pier.container.ExecPlan;
import io.pier.monitor.MonitorLauncher;
import io.pier.oci.RuntimeClient;
import io.pier.sandbox.Sandbox;
import io.pier.sandbox.SandboxManager;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/** Runs what streaming connections are for: exec, attach, and port-forward's connections. */
@ApplicationScoped
class StreamRunner implements CommandStarter {

  private static final Logger LOG = Logger.getLogger(StreamRunner.class);

  private final ContainerManager containers;
  private final SandboxManager sandboxes;
  private final RuntimeClient runtime;
  private final MonitorLauncher monitors;

  StreamRunner(ContainerManager containers, SandboxManager sandboxes, RuntimeClient runtime,
      MonitorLauncher monitors) {
    this.containers = containers;
    this.sandboxes = sandboxes;
    this.runtime = runtime;
    this.monitors = monitors;
  }

  @Override
  public void start(CommandSession session) {
    Thread.ofVirtual().name("stream-" + kind(session.request())).start(() -> run(session));
  }

  private void run(CommandSession session) {
    try {
      switch (session.request()) {
        case StreamRequest.Exec exec -> {
          ExecPlan plan = containers.prepareExec(exec.containerId(), exec.command(),
              exec.tty());
          LOG.infof("container %s: exec %s (tty=%s stdin=%s)", plan.container().id(),
              exec.command(), exec.tty(), exec.stdin());
          int code = new ExecStream(session, plan, runtime).run();
          LOG.infof("container %s: exec %s exited code=%d", plan.container().id(),
              exec.command(), code);
          session.exited(code);
        }
        case StreamRequest.Attach attach -> {
          Container container = containers.running(attach.containerId(), "attach");
          LOG.infof("container %s: attached (stdin=%s)", container.id(), attach.stdin());
          new AttachStream(session, container, monitors.attachDir()).run();
          LOG.infof("container %s: detached", container.id());
          session.exited(0);
        }
        case StreamRequest.PortForward pf -> throw new IllegalStateException(
            "port-forward is not a command");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      session.failed("interrupted");
    } catch (IOException | RuntimeException e) {
      LOG.warnf("%s failed: %s", kind(session.request()), e.getMessage());
      session.failed(e.getMessage() == null ? e.toString() : e.getMessage());
    }
  }

  /** Opens a TCP connection to {@code port} on the loopback address inside the pod. */
  SocketChannel dial(String sandboxId, int port) throws IOException {
    Sandbox sandbox = sandboxes.get(sandboxId);
    if (sandbox.state() != Sandbox.State.READY) {
      throw new IOException("pod " + sandbox.id() + " is not ready");
    }
    LOG.debugf("pod %s: port-forward to port %d", sandbox.id(), port);
    if (sandbox.spec().hostNetwork() || sandbox.netns().isEmpty()) {
      return NetworkNamespaces.connectLoopback(port);
    }
    return NetworkNamespaces.connect(Path.of(sandbox.netns()), port);
  }

  private static String kind(StreamRequest request) {
    return switch (request) {
      case StreamRequest.Exec e -> "exec";
      case StreamRequest.Attach a -> "attach";
      case StreamRequest.PortForward p -> "port-forward";
    };
  }
}
