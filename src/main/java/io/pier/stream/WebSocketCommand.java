package io.pier.stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.concurrent.ScheduledFuture;
import io.pier.stream.CommandSession.Stream;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A remote command over WebSocket ({@code v4.channel.k8s.io} framing and its relatives): every
 * binary message starts with a channel byte, 0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize;
 * under {@code v5.channel.k8s.io} channel 255 carries the number of a stream the client closed.
 */
final class WebSocketCommand extends SimpleChannelInboundHandler<WebSocketFrame>
    implements CommandSession.Wire {

  /** v5's stream-close signal channel. */
  static final int CLOSE_SIGNAL = 255;
  private static final int MAX_MESSAGE = 32 * 1024;
  private static final long PING_SECONDS = 2;

  private final CommandSession session;
  private final CommandStarter starter;
  private final AtomicBoolean closing = new AtomicBoolean();
  private volatile Channel channel;
  /** The periodic ping that finds a vanished client; set once the handler is added. */
  private ScheduledFuture<?> keepalive;

  WebSocketCommand(CommandSession session, CommandStarter starter) {
    this.session = session;
    this.starter = starter;
    session.wire(this);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    // While reading is paused (stdin nobody reads yet), a client that went away is only
    // noticed when a write to it fails: pings make such writes, as WebSocket has no other
    // way for the server to learn it.
    keepalive = ctx.executor().scheduleAtFixedRate(() -> {
      if (ctx.channel().isActive()) {
        ctx.writeAndFlush(new PingWebSocketFrame())
            .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
      }
    }, PING_SECONDS, PING_SECONDS, TimeUnit.SECONDS);
    // Every stream exists from the start: the channel numbers are fixed.
    starter.start(session);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    switch (frame) {
      case BinaryWebSocketFrame binary -> {
        ByteBuf content = binary.content();
        if (!content.isReadable()) {
          return;
        }
        int number = content.readUnsignedByte();
        if (number == CLOSE_SIGNAL && session.protocol().equals(Protocols.V5)) {
          if (content.isReadable()) {
            stream(content.readUnsignedByte()).ifPresent(session::ended);
          }
          return;
        }
        stream(number).ifPresent(s -> session.received(s, content));
      }
      case PingWebSocketFrame ping -> ctx.writeAndFlush(
          new PongWebSocketFrame(ping.content().retain()));
      case CloseWebSocketFrame close -> {
        session.clientGone();
        ctx.close();
      }
      default -> { }
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    keepalive.cancel(false);
    session.clientGone();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  @Override
  public void send(Stream stream, byte[] data, int offset, int length) throws IOException {
    for (int done = 0; done < length; ) {
      int n = Math.min(MAX_MESSAGE, length - done);
      write(new BinaryWebSocketFrame(frame(stream.ordinal(), data, offset + done, n)));
      done += n;
    }
  }

  /** One message: the channel byte, then the data. */
  static ByteBuf frame(int channelNumber, byte[] data, int offset, int length) {
    ByteBuf buf = Unpooled.buffer(length + 1);
    buf.writeByte(channelNumber);
    buf.writeBytes(data, offset, length);
    return buf;
  }

  /** The stream a channel number stands for. */
  static Optional<Stream> stream(int channelNumber) {
    Stream[] all = Stream.values();
    return channelNumber < all.length ? Optional.of(all[channelNumber]) : Optional.empty();
  }

  private void write(WebSocketFrame frame) throws IOException {
    if (closing.get()) {
      frame.release();
      throw new IOException("streaming client disconnected");
    }
    ClientWrites.send(channel, frame);
  }

  @Override
  public void end(Stream stream) {
    // Streams end together, with the close message.
  }

  @Override
  public void close() {
    if (closing.compareAndSet(false, true) && channel.isActive()) {
      channel.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
          .addListener(ChannelFutureListener.CLOSE);
    }
  }
}
