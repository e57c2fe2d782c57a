package io.pier.cri;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.pier.PierStartupException;
import io.pier.config.PierConfig;
import io.pier.cri.v1.ImageServiceGrpc;
import io.pier.cri.v1.RuntimeServiceGrpc;
import io.pier.metrics.CriRequestMetrics;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Serves the CRI on a unix domain socket with grpc-java's Netty server.
 *
 * <p>grpc-java's server accepts any {@code :authority}; Quarkus' Vert.x gRPC server resets
 * streams whose authority is the socket path, which crictl 1.26 and older grpc-go clients
 * send. So the stubs come from the Quarkus gRPC build, but this bean runs the server.
 */
@ApplicationScoped
public class CriSocketServer {

  private static final Logger LOG = Logger.getLogger(CriSocketServer.class);

  /** kubelet's own limit for CRI messages. */
  private static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

  private final Path socket;
  private final RuntimeServiceHandler runtimeService;
  private final ImageServiceHandler imageService;
  private final CriRequestMetrics metrics;

  private Server server;
  private EventLoopGroup acceptor;
  private EventLoopGroup workers;
  private Object socketInode;

  CriSocketServer(PierConfig config, RuntimeServiceHandler runtimeService,
      ImageServiceHandler imageService, CriRequestMetrics metrics) {
    // StateDirectories has checked the settings and holds this socket's lock.
    this.socket = config.socket().toAbsolutePath();
    this.runtimeService = runtimeService;
    this.imageService = imageService;
    this.metrics = metrics;
  }

  /** The socket path kubelet connects to. */
  public Path socket() {
    return socket;
  }

  /** Whether the server is accepting calls. */
  public boolean isServing() {
    return server != null && !server.isShutdown();
  }

  void start(@Observes @Priority(10) StartupEvent event) {
    try {
      Files.createDirectories(socket.getParent());
      removeStaleSocket();
      bind();
    } catch (IOException e) {
      throw new PierStartupException("cannot serve CRI on " + socket + ": " + e.getMessage(), e);
    }
    LOG.infof("serving CRI on unix://%s", socket);
  }

  /** Stops serving on shutdown, and also when start-up failed after the socket was bound. */
  @PreDestroy
  void stop() {
    if (server == null) {
      return;
    }
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    }
    acceptor.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    removeOwnSocket();
    LOG.infof("stopped serving CRI on %s", socket);
  }

  /** Removes a socket file a crashed daemon left; the socket's lock is this daemon's. */
  private void removeStaleSocket() throws IOException {
    if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
      boolean isSocket = Files.readAttributes(socket, BasicFileAttributes.class,
          LinkOption.NOFOLLOW_LINKS).isOther();
      if (!isSocket) {
        throw new PierStartupException(socket + " exists and is not a socket; move it away");
      }
      LOG.infof("removing stale socket %s", socket);
      Files.delete(socket);
    }
  }

  /**
   * Binds in a private directory and renames the socket into place, so it is never
   * reachable with the process umask's wider permissions.
   */
  private void bind() throws IOException {
    // Short names: the staged path must fit a unix socket address too (ConfigChecks).
    Path staging = socket.resolveSibling(String.format(".pb-%08x",
        ThreadLocalRandom.current().nextInt()));
    Files.createDirectory(staging,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path staged = staging.resolve("s");
    acceptor = new EpollEventLoopGroup(1, new DefaultThreadFactory("cri-accept", true));
    workers = new EpollEventLoopGroup(2, new DefaultThreadFactory("cri-io", true));
    try {
      server = NettyServerBuilder.forAddress(new DomainSocketAddress(staged.toString()))
          .channelType(EpollServerDomainSocketChannel.class)
          .bossEventLoopGroup(acceptor)
          .workerEventLoopGroup(workers)
          .maxInboundMessageSize(MAX_MESSAGE_BYTES)
          .addService(ServerInterceptors.intercept(
              RuntimeServiceGrpc.bindService(runtimeService), metrics))
          .addService(ServerInterceptors.intercept(
              ImageServiceGrpc.bindService(imageService), metrics))
          .build()
          .start();
      Files.setPosixFilePermissions(staged, PosixFilePermissions.fromString("rw-rw----"));
      Files.move(staged, socket, StandardCopyOption.ATOMIC_MOVE);
      socketInode = Files.readAttributes(socket, "unix:ino", LinkOption.NOFOLLOW_LINKS)
          .get("ino");
    } finally {
      Files.deleteIfExists(staged);
      Files.delete(staging);
    }
  }

  /** Deletes the socket file unless another daemon has replaced it meanwhile. */
  private void removeOwnSocket() {
    try {
      if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)
          && Objects.equals(socketInode,
              Files.readAttributes(socket, "unix:ino", LinkOption.NOFOLLOW_LINKS).get("ino"))) {
        Files.delete(socket);
      }
    } catch (IOException e) {
      LOG.warnf("could not remove %s: %s", socket, e.getMessage());
    }
  }
}
