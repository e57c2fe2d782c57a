package io.pier.monitor.stdio;

import io.pier.monitor.logging.MonitorLog;
import io.pier.monitor.nativeio.Libc;
import io.pier.monitor.nativeio.NativeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The socket the runtime connects to (its --console-socket) to hand over the master side of
 * the container's terminal, as a file descriptor in an SCM_RIGHTS message.
 */
public final class ConsoleSocket implements AutoCloseable {
  /** Where the socket is bound; passed to the runtime. */
  private final Path path;
  /** The listening descriptor. */
  private final int listenFd;
  /** The terminal master, once received. */
  private final CompletableFuture<Integer> master = new CompletableFuture<>();

  private ConsoleSocket(Path path, int listenFd) {
    this.path = path;
    this.listenFd = listenFd;
  }

  /** Binds a fresh socket in the temporary directory and starts waiting for the runtime. */
  public static ConsoleSocket open() throws IOException {
    String tmp = System.getenv().getOrDefault("TMPDIR", "/tmp");
    Path dir = Files.createTempDirectory(Path.of(tmp), "piermon-term");
    Path path = dir.resolve("console.sock");
    ConsoleSocket socket = new ConsoleSocket(path, Libc.listenUnix(path.toString(),
        Libc.SOCK_STREAM));
    Thread.ofPlatform().daemon().name("console-socket").start(socket::acceptOne);
    return socket;
  }

  /** The path to give the runtime. */
  public Path path() {
    return path;
  }

  private void acceptOne() {
    try {
      int conn = Libc.accept(listenFd);
      try {
        int fd = Libc.receiveFd(conn);
        if (fd < 0) {
          throw new IOException("the runtime sent no terminal descriptor");
        }
        try {
          Libc.enableOnlcr(fd);
        } catch (NativeException e) {
          MonitorLog.warn("setting ONLCR on the terminal: " + e.getMessage());
        }
        master.complete(fd);
      } finally {
        Libc.closeQuietly(conn);
      }
    } catch (IOException e) {
      master.completeExceptionally(e);
    }
  }

  /** The terminal master, waiting up to {@code millis} for it; -1 when none came. */
  public int awaitMaster(long millis) {
    try {
      return master.get(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    } catch (ExecutionException | TimeoutException e) {
      MonitorLog.warn("no terminal from the runtime: " + e);
      return -1;
    }
  }

  @Override
  public void close() {
    Libc.shutdown(listenFd, Libc.SHUT_RDWR);
    Libc.closeQuietly(listenFd);
    try {
      Files.deleteIfExists(path);
      Files.deleteIfExists(path.getParent());
    } catch (IOException e) {
      MonitorLog.debug("removing " + path + ": " + e.getMessage());
    }
  }
}
