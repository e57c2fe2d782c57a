package io.pier.stream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * Carries a byte stream in WebSocket binary messages, both ways: client-go tunnels
 * port-forward's SPDY connection this way ({@code SPDY/3.1+portforward.k8s.io}).
 */
final class WebSocketTunnel extends ChannelDuplexHandler {

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    switch (msg) {
      case BinaryWebSocketFrame binary -> ctx.fireChannelRead(binary.content());
      case PingWebSocketFrame ping -> ctx.writeAndFlush(
          new PongWebSocketFrame(ping.content()));
      case CloseWebSocketFrame close -> {
        close.release();
        ctx.close();
      }
      default -> ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf bytes) {
      ctx.write(new BinaryWebSocketFrame(bytes), promise);
    } else {
      ctx.write(msg, promise);
    }
  }
}
