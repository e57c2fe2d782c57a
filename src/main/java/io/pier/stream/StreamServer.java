package io.pier.stream;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.pier.PierStartupException;
import io.pier.config.PierConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The streaming server kubelet and crictl connect to for exec, attach and port-forward: plain
 * HTTP on {@code pier.stream-address}, upgraded to SPDY/3.1 or WebSocket. Netty, already
 * pierd's gRPC transport, brings both codecs, so no framing is written by hand here.
 */
@ApplicationScoped
public class StreamServer {

  private static final Logger LOG = Logger.getLogger(StreamServer.class);
  private static final int MAX_REQUEST_BYTES = 64 * 1024;

  private final String address;
  private final StreamRunner runner;
  private final StreamTokens tokens = new StreamTokens(Clock.systemUTC());
  private EventLoopGroup group;
  private Channel server;
  private volatile String base;

  StreamServer(PierConfig config, StreamRunner runner) {
    this.address = config.streamAddress();
    this.runner = runner;
  }

  // Limitation: plain HTTP only; no TLS for a streaming address beyond loopback.
  void start(@Observes StartupEvent event) {
    InetSocketAddress bind = parse(address);
    group = new NioEventLoopGroup(1, Thread.ofPlatform().name("stream-io-", 0).factory());
    try {
      server = new ServerBootstrap()
          .group(group)
          .channel(NioServerSocketChannel.class)
          // Senders wait only once this much is queued: a 64 KiB mark made every large
          // port-forward write wait for the socket.
          .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
              new WriteBufferWaterMark(1 << 20, 4 << 20))
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(new HttpServerCodec(),
                  new HttpObjectAggregator(MAX_REQUEST_BYTES),
                  new StreamRouter(tokens, runner));
            }
          })
          .bind(bind).sync().channel();
    } catch (Exception e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw new PierStartupException("cannot serve streaming on " + address + ": "
          + e.getMessage(), e);
    }
    InetSocketAddress bound = (InetSocketAddress) server.localAddress();
    String host = bound.getAddress().getHostAddress();
    base = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + bound.getPort();
    LOG.infof("serving exec, attach and port-forward on %s", base);
  }

  @PreDestroy
  void stop() {
    if (server != null) {
      server.close().syncUninterruptibly();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  /** A single-use URL for {@code request}, valid for {@link StreamTokens#LIFETIME}. */
  public String url(StreamRequest request) {
    return base + request.pathPrefix() + tokens.issue(request);
  }

  /** {@code host:port}, {@code [v6]:port} or {@code :port} (all addresses). */
  static InetSocketAddress parse(String address) {
    int colon = address.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("stream address " + address + " lacks a port");
    }
    String host = address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = Integer.parseInt(address.substring(colon + 1));
    return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
  }
}
