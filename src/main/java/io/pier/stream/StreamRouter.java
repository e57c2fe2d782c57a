package io.pier.stream;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The first request on a streaming connection: redeems the token in its path and upgrades the
 * connection to SPDY/3.1 or WebSocket with a protocol both sides speak.
 */
final class StreamRouter extends SimpleChannelInboundHandler<FullHttpRequest> {

  private static final Logger LOG = Logger.getLogger(StreamRouter.class);
  private static final int MAX_WEBSOCKET_MESSAGE = 16 * 1024 * 1024;

  private final StreamTokens tokens;
  private final StreamRunner runner;

  StreamRouter(StreamTokens tokens, StreamRunner runner) {
    this.tokens = tokens;
    this.runner = runner;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    String path = new QueryStringDecoder(request.uri()).path();
    int slash = path.lastIndexOf('/');
    Optional<StreamRequest> found = slash < 0 ? Optional.empty()
        : tokens.redeem(path.substring(slash + 1))
            .filter(r -> r.pathPrefix().equals(path.substring(0, slash + 1)));
    if (found.isEmpty()) {
      respond(ctx, HttpResponseStatus.NOT_FOUND, "unknown or expired stream URL", null);
      return;
    }
    String upgrade = request.headers().get(HttpHeaderNames.UPGRADE, "")
        .toLowerCase(Locale.ROOT);
    if (upgrade.contains("websocket")) {
      webSocket(ctx, request, found.get());
    } else if (upgrade.contains(Protocols.SPDY.toLowerCase(Locale.ROOT))) {
      spdy(ctx, request, found.get());
    } else {
      respond(ctx, HttpResponseStatus.BAD_REQUEST,
          "streaming needs an upgrade to SPDY/3.1 or websocket", null);
    }
  }

  private void spdy(ChannelHandlerContext ctx, FullHttpRequest request, StreamRequest target) {
    List<String> offered = new ArrayList<>();
    for (String value : request.headers().getAll("X-Stream-Protocol-Version")) {
      for (String item : value.split(",")) {
        offered.add(item.trim());
      }
    }
    List<String> supported = target instanceof StreamRequest.PortForward
        ? List.of(Protocols.PORT_FORWARD) : Protocols.SPDY_COMMAND;
    Optional<String> chosen = Protocols.choose(supported, offered);
    if (chosen.isEmpty()) {
      respond(ctx, HttpResponseStatus.FORBIDDEN, "none of the stream protocols " + offered
          + " is supported", String.join(",", supported));
      return;
    }
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.SWITCHING_PROTOCOLS);
    response.headers()
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE)
        .set(HttpHeaderNames.UPGRADE, Protocols.SPDY)
        .set("X-Stream-Protocol-Version", chosen.get());
    ctx.writeAndFlush(response);
    // The 101 is encoded by now; what follows on the connection is SPDY.
    ChannelPipeline pipeline = ctx.pipeline();
    pipeline.remove(HttpObjectAggregator.class);
    pipeline.remove(HttpServerCodec.class);
    pipeline.addLast(new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
    pipeline.addLast(spdyConnection(ctx, target, chosen.get()));
    pipeline.remove(this);
    LOG.debugf("streaming %s over SPDY (%s)", describe(target), chosen.get());
  }

  private SpdyConnection spdyConnection(ChannelHandlerContext ctx, StreamRequest target,
      String protocol) {
    if (target instanceof StreamRequest.PortForward pf) {
      return new SpdyConnection(c -> new PortForwardSession(c, pf.sandboxId(),
          port -> runner.dial(pf.sandboxId(), port)));
    }
    CommandSession session = new CommandSession(target, protocol, ctx.channel());
    return new SpdyConnection(c -> new SpdyCommand(c, session, runner));
  }

  private void webSocket(ChannelHandlerContext ctx, FullHttpRequest request,
      StreamRequest target) {
    boolean portForward = target instanceof StreamRequest.PortForward;
    // Limitation: port-forward over WebSocket is served only as client-go tunnels it (SPDY
    // inside binary messages), not in the older channel framing with a port per channel pair;
    // the base64 text framing of remote commands is not served either.
    List<String> supported = portForward
        ? List.of(Protocols.PORT_FORWARD_TUNNEL) : Protocols.WEBSOCKET_COMMAND;
    String location = "ws://" + request.headers().get(HttpHeaderNames.HOST, "localhost")
        + request.uri();
    WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(location,
        String.join(",", supported), false, MAX_WEBSOCKET_MESSAGE).newHandshaker(request);
    if (handshaker == null) {
      WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
      return;
    }
    handshaker.handshake(ctx.channel(), request);
    String protocol = handshaker.selectedSubprotocol();
    if (protocol == null) {
      // A client that offered no protocol speaks the first version.
      protocol = portForward ? Protocols.PORT_FORWARD_TUNNEL : Protocols.V1;
    }
    ChannelPipeline pipeline = ctx.pipeline();
    pipeline.addLast(new WebSocketFrameAggregator(MAX_WEBSOCKET_MESSAGE));
    if (portForward) {
      pipeline.addLast(new WebSocketTunnel());
      pipeline.addLast(new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
      pipeline.addLast(spdyConnection(ctx, target, Protocols.PORT_FORWARD));
    } else {
      pipeline.addLast(new WebSocketCommand(
          new CommandSession(target, protocol, ctx.channel()), runner));
    }
    pipeline.remove(this);
    LOG.debugf("streaming %s over websocket (%s)", describe(target), protocol);
  }

  private static String describe(StreamRequest request) {
    return switch (request) {
      case StreamRequest.Exec e -> "exec in container " + e.containerId();
      case StreamRequest.Attach a -> "attach to container " + a.containerId();
      case StreamRequest.PortForward p -> "port-forward to pod " + p.sandboxId();
    };
  }

  private static void respond(ChannelHandlerContext ctx, HttpResponseStatus status,
      String message, String acceptedProtocols) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.copiedBuffer(message + "\n", StandardCharsets.UTF_8));
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    if (acceptedProtocols != null) {
      response.headers().set("X-Accepted-Stream-Protocol-Versions", acceptedProtocols);
    }
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debugf("streaming request from %s: %s", ctx.channel().remoteAddress(), cause);
    ctx.close();
  }
}
