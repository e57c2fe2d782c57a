package io.pier.monitor.attach;

import io.pier.monitor.logging.MonitorLog;
import io.pier.monitor.nativeio.Libc;
import io.pier.monitor.nativeio.NativeException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntSupplier;

/**
 * The attach socket: a SOCK_SEQPACKET unix socket named {@code attach} in the bundle, reached
 * as {@code <socket-dir>/<cuuid>/attach} through a symlink to the bundle. Each packet sent to
 * clients is one stream byte (2 stdout, 3 stderr) followed by the output; what clients send is
 * written to the container's stdin.
 */
public final class AttachServer implements AutoCloseable {
  /** Largest packet read from a client. */
  private static final int CLIENT_BUF = 32 * 1024;

  /** The listening socket. */
  private final int listenFd;
  /** The symlink {@code <socket-dir>/<cuuid>}, removed on close; null with --full-attach. */
  private final Path symlink;
  /** Connected clients' sockets. */
  private final List<Integer> clients = new CopyOnWriteArrayList<>();
  /** The container's stdin, or -1: supplied late because a terminal arrives after set-up. */
  private final IntSupplier stdin;
  /** Called when a client leaves: closes stdin unless it should stay open. */
  private final Runnable onClientGone;

  private AttachServer(int listenFd, Path symlink, IntSupplier stdin, Runnable onClientGone) {
    this.listenFd = listenFd;
    this.symlink = symlink;
    this.stdin = stdin;
    this.onClientGone = onClientGone;
  }

  /**
   * Binds the socket in {@code bundle}; unless {@code fullAttach}, links
   * {@code socketDir/cuuid} to the bundle first, as callers look there.
   */
  public static AttachServer open(Path bundle, Path socketDir, String cuuid, boolean fullAttach,
      IntSupplier stdin, Runnable onClientGone) throws IOException {
    Path symlink = null;
    Path parent = bundle;
    if (!fullAttach) {
      Files.createDirectories(socketDir);
      symlink = socketDir.resolve(cuuid);
      Files.deleteIfExists(symlink);
      Files.createSymbolicLink(symlink, bundle);
      parent = symlink;
    }
    Files.deleteIfExists(bundle.resolve("attach"));
    // Socket paths are limited to 107 bytes; the directory is reached through its descriptor.
    int dirFd = Libc.open(parent.toString(), Libc.O_PATH | Libc.O_CLOEXEC, 0);
    int fd;
    try {
      fd = Libc.listenUnix("/proc/self/fd/" + dirFd + "/attach", Libc.SOCK_SEQPACKET);
    } finally {
      Libc.closeQuietly(dirFd);
    }
    Files.setPosixFilePermissions(bundle.resolve("attach"),
        PosixFilePermissions.fromString("rwx------"));
    AttachServer server = new AttachServer(fd, symlink, stdin, onClientGone);
    Thread.ofPlatform().daemon().name("attach-accept").start(server::acceptLoop);
    return server;
  }

  private void acceptLoop() {
    while (true) {
      int client;
      try {
        client = Libc.accept(listenFd);
      } catch (NativeException e) {
        return;
      }
      MonitorLog.debug("attach client connected");
      clients.add(client);
      Thread.ofPlatform().daemon().name("attach-client").start(() -> readClient(client));
    }
  }

  private void readClient(int client) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buf = arena.allocate(CLIENT_BUF);
      while (true) {
        int n = Libc.read(client, buf, CLIENT_BUF);
        if (n == 0) {
          break;
        }
        int in = stdin.getAsInt();
        if (in >= 0) {
          try {
            Libc.writeAll(in, buf, n);
          } catch (NativeException e) {
            MonitorLog.warn("writing to container stdin: " + e.getMessage());
          }
        }
      }
    } catch (NativeException e) {
      MonitorLog.debug("attach client read: " + e.getMessage());
    }
    Libc.shutdown(client, Libc.SHUT_RD);
    MonitorLog.debug("attach client left");
    onClientGone.run();
  }

  /** Sends one framed packet (stream byte and output) to every client. */
  public void broadcast(MemorySegment frame, int len) {
    for (Integer client : clients) {
      try {
        Libc.send(client, frame, len);
      } catch (NativeException e) {
        // Limitation: a slow client blocks output until its socket buffer drains.
        clients.remove(client);
        Libc.shutdown(client, Libc.SHUT_RDWR);
        Libc.closeQuietly(client);
      }
    }
  }

  @Override
  public void close() {
    for (Integer client : clients) {
      Libc.shutdown(client, Libc.SHUT_RDWR);
      Libc.closeQuietly(client);
    }
    clients.clear();
    Libc.shutdown(listenFd, Libc.SHUT_RDWR);
    Libc.closeQuietly(listenFd);
    if (symlink != null) {
      try {
        Files.deleteIfExists(symlink);
      } catch (IOException e) {
        MonitorLog.warn("removing " + symlink + ": " + e.getMessage());
      }
    }
  }
}
