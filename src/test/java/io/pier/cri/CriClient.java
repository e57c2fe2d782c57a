package io.pier.cri;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.pier.cri.v1.ImageServiceGrpc;
import io.pier.cri.v1.RuntimeServiceGrpc;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A real gRPC client on a CRI unix socket, as kubelet would open one. */
public final class CriClient implements AutoCloseable {

  private final EpollEventLoopGroup group = new EpollEventLoopGroup(1);
  private final ManagedChannel channel;

  /** Connects to the CRI socket at {@code socket}. */
  public CriClient(Path socket) {
    this.channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
        .eventLoopGroup(group)
        .channelType(EpollDomainSocketChannel.class)
        .usePlaintext()
        .build();
  }

  /** A blocking RuntimeService stub with a deadline. */
  public RuntimeServiceGrpc.RuntimeServiceBlockingStub runtime() {
    return RuntimeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  /**
   * A RuntimeService stub whose calls carry {@code authority} as {@code :authority}, as
   * grpc-go clients before 1.58 (crictl 1.26 among them) send the socket path.
   */
  public RuntimeServiceGrpc.RuntimeServiceBlockingStub runtimeWithAuthority(String authority) {
    ClientInterceptor setAuthority = new ClientInterceptor() {
      @Override
      public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method,
          CallOptions options, Channel next) {
        return next.newCall(method, options.withAuthority(authority));
      }
    };
    return RuntimeServiceGrpc.newBlockingStub(ClientInterceptors.intercept(channel, setAuthority))
        .withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  /** A blocking ImageService stub with a deadline. */
  public ImageServiceGrpc.ImageServiceBlockingStub images() {
    return ImageServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
  }
}
