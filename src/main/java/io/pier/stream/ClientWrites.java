package io.pier.stream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;

/** Writes from a process's output thread to a streaming client, held back by a full buffer. */
final class ClientWrites {

  private ClientWrites() {}

  /**
   * Sends {@code frame}; waits for it to be written when the connection's buffer is full, so
   * a slow client slows the process's output instead of filling the heap.
   */
  static void send(Channel channel, Object frame) throws IOException {
    if (!channel.isActive()) {
      ReferenceCountUtil.release(frame);
      throw new IOException("streaming client disconnected");
    }
    ChannelFuture written = channel.writeAndFlush(frame);
    if (!channel.isWritable()) {
      try {
        written.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while sending", e);
      }
      if (!written.isSuccess()) {
        throw new IOException("streaming client disconnected", written.cause());
      }
    }
  }
}
