package io.pier.stream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** Opens sockets inside another network namespace. */
final class NetworkNamespaces {

  private NetworkNamespaces() {}

  /**
   * Connects to {@code port} on the loopback address of the network namespace pinned at
   * {@code netns}. A socket belongs to the namespace it was created in, so a short-lived
   * platform thread enters the namespace, creates and connects it, and returns; the socket
   * is then used from any thread. (setns affects only the calling OS thread; a virtual
   * thread could move between carriers.)
   */
  static SocketChannel connect(Path netns, int port) throws IOException {
    CompletableFuture<SocketChannel> result = new CompletableFuture<>();
    Thread thread = Thread.ofPlatform().daemon().name("netns-dial").start(() -> {
      try {
        result.complete(connectHere(netns, port));
      } catch (IOException | RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    try {
      return result.get();
    } catch (InterruptedException e) {
      thread.interrupt();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while connecting to port " + port, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException(e.getCause().getMessage(), e.getCause());
    }
  }

  /**
   * Connects to {@code port} on the loopback address of the calling thread's network
   * namespace: the node's own for a pod in the host network.
   */
  static SocketChannel connectLoopback(int port) throws IOException {
    SocketChannel socket = SocketChannel.open();
    try {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return socket;
    } catch (IOException e) {
      socket.close();
      throw new IOException("connecting to port " + port + " in the pod: " + e.getMessage(), e);
    }
  }

  private static SocketChannel connectHere(Path netns, int port) throws IOException {
    int home = StreamNative.open("/proc/thread-self/ns/net",
        StreamNative.O_RDONLY | StreamNative.O_CLOEXEC);
    try {
      int target = StreamNative.open(netns.toString(),
          StreamNative.O_RDONLY | StreamNative.O_CLOEXEC);
      try {
        StreamNative.setns(target, StreamNative.CLONE_NEWNET);
      } finally {
        StreamNative.close(target);
      }
      try {
        return connectLoopback(port);
      } finally {
        try {
          StreamNative.setns(home, StreamNative.CLONE_NEWNET);
        } catch (IOException e) {
          // The thread ends right after; it must not linger in the pod's namespace anyway.
          throw new UncheckedIOException(e);
        }
      }
    } finally {
      StreamNative.close(home);
    }
  }
}
