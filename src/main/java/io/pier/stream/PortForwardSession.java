package io.pier.stream;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Port-forward over SPDY ({@code portforward.k8s.io}): for each connection the client opens an
 * error stream and a data stream, both naming the pod's port and a request ID; the data
 * stream's bytes go to and come from a TCP connection to that port in the pod's network
 * namespace, and a failure is reported as text on the error stream.
 */
final class PortForwardSession implements SpdyConnection.Target {

  private static final Logger LOG = Logger.getLogger(PortForwardSession.class);
  private static final int BUFFER = 64 * 1024;

  /** Opens a connection to a port of the pod. */
  interface PodDialer {
    SocketChannel dial(int port) throws IOException;
  }

  private final SpdyConnection connection;
  private final String sandboxId;
  private final PodDialer dialer;
  private final Map<String, Forward> byRequest = new ConcurrentHashMap<>();
  private final Map<Integer, Forward> byStream = new ConcurrentHashMap<>();

  PortForwardSession(SpdyConnection connection, String sandboxId, PodDialer dialer) {
    this.connection = connection;
    this.sandboxId = sandboxId;
    this.dialer = dialer;
  }

  @Override
  public void opened(int streamId, Map<String, String> headers) {
    String type = headers.getOrDefault("streamtype", "");
    String port = headers.getOrDefault("port", "");
    // Clients before request IDs sent one pair at a time: the port tells the pair then.
    String requestId = headers.getOrDefault("requestid", "port-" + port);
    Forward forward = byRequest.computeIfAbsent(requestId, id -> new Forward(port));
    byStream.put(streamId, forward);
    switch (type) {
      case "error" -> forward.errorStream = streamId;
      case "data" -> {
        forward.dataStream = streamId;
        forward.inbound = new Inbound(connection.channel());
      }
      default -> {
        connection.end(streamId);
        return;
      }
    }
    if (forward.errorStream != 0 && forward.dataStream != 0) {
      byRequest.remove(requestId);
      Thread.ofVirtual().name("port-forward-" + sandboxId.substring(0, 12) + "-" + port)
          .start(forward::run);
    }
  }

  @Override
  public void received(int streamId, ByteBuf data) {
    Forward forward = byStream.get(streamId);
    if (forward != null && streamId == forward.dataStream) {
      forward.inbound.offer(data);
    }
  }

  @Override
  public void ended(int streamId) {
    Forward forward = byStream.get(streamId);
    if (forward != null && streamId == forward.dataStream) {
      forward.inbound.end();
    }
  }

  @Override
  public void gone() {
    for (Forward forward : byStream.values()) {
      forward.close();
    }
    byStream.clear();
  }

  /** One forwarded connection. */
  private final class Forward {
    /** The pod's port, as the client sent it. */
    private final String port;
    /** The client's error stream, 0 until opened. */
    private volatile int errorStream;
    /** The client's data stream, 0 until opened. */
    private volatile int dataStream;
    /** What the client sends on the data stream. */
    private volatile Inbound inbound;
    /** The connection in the pod, once made. */
    private volatile SocketChannel socket;
    private volatile boolean closed;

    Forward(String port) {
      this.port = port;
    }

    void run() {
      try {
        int number = parsePort(port);
        socket = dialer.dial(number);
        if (closed) {
          socket.close();
          return;
        }
        Thread.ofVirtual().name("port-forward-in").start(this::copyIn);
        copyOut();
      } catch (IOException | IllegalArgumentException e) {
        byte[] message = ("error forwarding port " + port + " to pod " + sandboxId + ": "
            + e.getMessage()).getBytes(StandardCharsets.UTF_8);
        LOG.debugf("%s", new String(message, StandardCharsets.UTF_8));
        try {
          connection.send(errorStream, message, 0, message.length);
        } catch (IOException gone) {
          // The client is gone already.
        }
      } finally {
        connection.end(dataStream);
        connection.end(errorStream);
        close();
        byStream.remove(dataStream);
        byStream.remove(errorStream);
      }
    }

    private void copyOut() throws IOException {
      ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
      while (socket.read(buffer.clear()) >= 0) {
        connection.send(dataStream, buffer.array(), 0, buffer.position());
      }
    }

    private void copyIn() {
      try {
        byte[] chunk;
        while ((chunk = inbound.take()) != null) {
          ByteBuffer buffer = ByteBuffer.wrap(chunk);
          while (buffer.hasRemaining()) {
            socket.write(buffer);
          }
        }
        socket.shutdownOutput();
      } catch (IOException e) {
        close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    void close() {
      closed = true;
      if (inbound != null) {
        inbound.end();
      }
      SocketChannel s = socket;
      if (s != null) {
        try {
          s.close();
        } catch (IOException e) {
          // Already closed.
        }
      }
    }
  }

  /** A TCP port number from a header. */
  static int parsePort(String text) {
    try {
      int port = Integer.parseInt(text);
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port " + text + " is out of range");
      }
      return port;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid port \"" + text + "\"");
    }
  }
}
