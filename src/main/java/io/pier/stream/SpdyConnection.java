package io.pier.stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdyGoAwayFrame;
import io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrame;
import io.netty.handler.codec.spdy.SpdyGoAwayFrame;
import io.netty.handler.codec.spdy.SpdyPingFrame;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import java.io.IOException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The server side of a SPDY/3.1 connection after the HTTP upgrade: answers the streams the
 * client opens and hands their data to a {@link Target}. Like kubelet's SPDY server it keeps
 * no flow-control windows, since client-go's SPDY library neither sends nor expects
 * WINDOW_UPDATE frames; Netty's own session handler would stall after the first 64 KiB.
 */
final class SpdyConnection extends SimpleChannelInboundHandler<SpdyFrame> {

  private static final Logger LOG = Logger.getLogger(SpdyConnection.class);
  /** Largest data frame sent. */
  private static final int MAX_FRAME = 64 * 1024;

  /** What the client's streams are for: a remote command or port-forward. */
  interface Target {
    /** The client opened a stream with these headers (names in lower case). */
    void opened(int streamId, Map<String, String> headers);

    /** Data on a stream; called on the event loop, the buffer is released afterwards. */
    void received(int streamId, ByteBuf data);

    /** The client closed or reset a stream. */
    void ended(int streamId);

    /** The connection is gone. */
    void gone();
  }

  private final Set<Integer> endedByServer = ConcurrentHashMap.newKeySet();
  private final Function<SpdyConnection, Target> targetFactory;
  private Target target;
  private volatile Channel channel;

  SpdyConnection(Function<SpdyConnection, Target> targetFactory) {
    this.targetFactory = targetFactory;
  }

  Channel channel() {
    return channel;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    target = targetFactory.apply(this);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, SpdyFrame frame) {
    switch (frame) {
      case SpdySynStreamFrame syn -> {
        Map<String, String> headers = new HashMap<>();
        for (Map.Entry<CharSequence, CharSequence> h : syn.headers()) {
          headers.put(h.getKey().toString().toLowerCase(Locale.ROOT), h.getValue().toString());
        }
        // The reply echoes the stream's headers: Netty omits an empty header block, which
        // SPDY/3 requires and client-go's framer fails to parse.
        DefaultSpdySynReplyFrame reply = new DefaultSpdySynReplyFrame(syn.streamId());
        reply.headers().add(syn.headers());
        ctx.writeAndFlush(reply);
        target.opened(syn.streamId(), headers);
        if (syn.isLast()) {
          target.ended(syn.streamId());
        }
      }
      case SpdyDataFrame data -> {
        target.received(data.streamId(), data.content());
        if (data.isLast()) {
          target.ended(data.streamId());
        }
      }
      case SpdyRstStreamFrame rst -> target.ended(rst.streamId());
      case SpdyPingFrame ping -> {
        // Client pings carry odd IDs; answering with the same ID keeps the connection alive.
        if ((ping.id() & 1) == 1) {
          ctx.writeAndFlush(new DefaultSpdyPingFrame(ping.id()));
        }
      }
      case SpdyGoAwayFrame away -> ctx.close();
      default -> { }
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    target.gone();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debugf("streaming connection from %s: %s", ctx.channel().remoteAddress(), cause);
    ctx.close();
  }

  /**
   * Sends bytes on a stream, waiting while the client does not keep up. The bytes are copied:
   * callers reuse their buffers while the write is still queued.
   */
  void send(int streamId, byte[] data, int offset, int length) throws IOException {
    for (int done = 0; done < length; ) {
      int n = Math.min(MAX_FRAME, length - done);
      write(new DefaultSpdyDataFrame(streamId, Unpooled.copiedBuffer(data, offset + done, n)));
      done += n;
    }
  }

  /** Sends a frame; waits for it to be written when the connection's buffer is full. */
  private void write(SpdyFrame frame) throws IOException {
    ClientWrites.send(channel, frame);
  }

  /** Ends a stream from the server's side (an empty frame with FIN), once. */
  void end(int streamId) {
    if (endedByServer.add(streamId) && channel.isActive()) {
      channel.writeAndFlush(new DefaultSpdyDataFrame(streamId).setLast(true));
    }
  }

  /** Says goodbye and closes the connection once everything sent has been written. */
  void close() {
    if (channel.isActive()) {
      channel.writeAndFlush(new DefaultSpdyGoAwayFrame(0))
          .addListener(ChannelFutureListener.CLOSE);
    }
  }
}
