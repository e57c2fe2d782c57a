package io.pier.stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes from the client on one stream, handed from Netty's event loop to the thread that
 * writes them on (a process's stdin, a pod's socket). Reading from the client pauses while too
 * much waits here, so a slow receiver holds back a fast sender instead of filling the heap.
 */
final class Inbound {

  private static final byte[] END = new byte[0];
  private static final long PAUSE_ABOVE = 4L << 20;
  private static final long RESUME_BELOW = 1L << 20;

  private final BlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
  private final AtomicLong queued = new AtomicLong();
  private final Channel connection;
  private volatile boolean ended;

  Inbound(Channel connection) {
    this.connection = connection;
  }

  /** Queues a copy of {@code data}; called on the event loop. */
  void offer(ByteBuf data) {
    if (ended || !data.isReadable()) {
      return;
    }
    byte[] bytes = ByteBufUtil.getBytes(data);
    queue.add(bytes);
    // Limitation: pausing reads pauses every stream of the connection, so one slow pod
    // connection holds back the others that share a port-forward session.
    if (queued.addAndGet(bytes.length) > PAUSE_ABOVE) {
      connection.config().setAutoRead(false);
    }
  }

  /** Marks the end of the stream: the client closed it, or went away. */
  void end() {
    if (!ended) {
      ended = true;
      queue.add(END);
    }
  }

  /** The next chunk, waiting for one; null once the stream has ended. */
  byte[] take() throws InterruptedException {
    byte[] bytes = queue.take();
    if (bytes == END) {
      queue.add(END);
      return null;
    }
    if (queued.addAndGet(-bytes.length) < RESUME_BELOW && !connection.config().isAutoRead()) {
      connection.config().setAutoRead(true);
    }
    return bytes;
  }
}
