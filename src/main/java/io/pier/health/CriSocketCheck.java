package io.pier.health;

import io.pier.cri.CriSocketServer;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready while the CRI socket accepts connections. Readiness only: {@code /q/health} lists
 * liveness and readiness checks together, so one bean in both would be listed twice.
 */
@Readiness
@ApplicationScoped
public class CriSocketCheck implements HealthCheck {

  private final CriSocketServer server;

  CriSocketCheck(CriSocketServer server) {
    this.server = server;
  }

  @Override
  public HealthCheckResponse call() {
    return Checks.from("cri-socket", problem(), "socket", server.socket().toString());
  }

  private Optional<String> problem() {
    if (!server.isServing()) {
      return Optional.of("the CRI server is not running");
    }
    // The JDK's own unix sockets suffice for a connect probe; no native library needed.
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(server.socket()));
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of("cannot connect to " + server.socket() + ": " + e.getMessage());
    }
  }
}
