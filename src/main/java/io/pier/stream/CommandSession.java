package io.pier.stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import java.io.IOException;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One exec or attach as the code running it sees it: stdin to read, stdout and stderr to
 * write, terminal sizes, and one final status, whichever protocol (SPDY or WebSocket)
 * carries the streams.
 */
final class CommandSession {

  /** The remote-command streams; the ordinal is the WebSocket channel number. */
  enum Stream { STDIN, STDOUT, STDERR, ERROR, RESIZE }

  /** How bytes reach the client on one connection. */
  interface Wire {
    /** Sends bytes on a stream; blocks while the client does not keep up. */
    void send(Stream stream, byte[] data, int offset, int length) throws IOException;

    /** Ends one stream from the server's side. */
    void end(Stream stream);

    /** Closes the connection once what was sent has been written. */
    void close();
  }

  private final StreamRequest request;
  private final String protocol;
  private final Inbound stdin;
  private final ResizeDecoder resizeDecoder = new ResizeDecoder();
  private final List<Runnable> whenGone = new CopyOnWriteArrayList<>();
  private final AtomicBoolean finished = new AtomicBoolean();
  private volatile Wire wire;
  private volatile boolean gone;
  private volatile TerminalSize lastSize;
  private volatile Consumer<TerminalSize> resizer;

  CommandSession(StreamRequest request, String protocol, Channel connection) {
    if (!(request instanceof StreamRequest.Exec) && !(request instanceof StreamRequest.Attach)) {
      throw new IllegalArgumentException("not a remote command: " + request);
    }
    this.request = request;
    this.protocol = protocol;
    this.stdin = new Inbound(connection);
  }

  void wire(Wire wire) {
    this.wire = wire;
  }

  StreamRequest request() {
    return request;
  }

  String protocol() {
    return protocol;
  }

  boolean tty() {
    return switch (request) {
      case StreamRequest.Exec e -> e.tty();
      case StreamRequest.Attach a -> a.tty();
      case StreamRequest.PortForward p -> false;
    };
  }

  /** The streams the client opens for this request under this protocol. */
  Set<Stream> streams() {
    boolean in;
    boolean out;
    boolean err;
    switch (request) {
      case StreamRequest.Exec e -> {
        in = e.stdin();
        out = e.stdout();
        err = e.stderr();
      }
      case StreamRequest.Attach a -> {
        in = a.stdin();
        out = a.stdout();
        err = a.stderr();
      }
      case StreamRequest.PortForward p -> throw new IllegalStateException();
    }
    Set<Stream> streams = EnumSet.of(Stream.ERROR);
    if (in) {
      streams.add(Stream.STDIN);
    }
    if (out) {
      streams.add(Stream.STDOUT);
    }
    if (err && !tty()) {
      streams.add(Stream.STDERR);
    }
    if (tty() && Protocols.hasResize(protocol)) {
      streams.add(Stream.RESIZE);
    }
    return streams;
  }

  /** Bytes the client sent on a stream; called on the event loop. */
  void received(Stream stream, ByteBuf data) {
    switch (stream) {
      case STDIN -> stdin.offer(data);
      case RESIZE -> resizeDecoder.feed(ByteBufUtil.getBytes(data)).forEach(this::resized);
      default -> { }
    }
  }

  /** The client closed a stream. */
  void ended(Stream stream) {
    if (stream == Stream.STDIN) {
      stdin.end();
    }
  }

  /** The client went away: whatever runs for it is to be stopped. */
  void clientGone() {
    if (gone) {
      return;
    }
    gone = true;
    stdin.end();
    whenGone.forEach(Runnable::run);
  }

  boolean isGone() {
    return gone;
  }

  /** Runs {@code action} when the client goes away before the command ends. */
  void whenGone(Runnable action) {
    whenGone.add(action);
    if (gone) {
      action.run();
    }
  }

  /** The client's stdin, chunk by chunk; null at its end. */
  byte[] readStdin() throws InterruptedException {
    return stdin.take();
  }

  /** Calls {@code resize} with the latest terminal size now and with every later one. */
  void onResize(Consumer<TerminalSize> resize) {
    this.resizer = resize;
    TerminalSize size = lastSize;
    if (size != null) {
      resize.accept(size);
    }
  }

  private void resized(TerminalSize size) {
    lastSize = size;
    Consumer<TerminalSize> resize = resizer;
    if (resize != null) {
      resize.accept(size);
    }
  }

  /** The last terminal size the client sent, if any. */
  TerminalSize lastSize() {
    return lastSize;
  }

  void stdout(byte[] data, int offset, int length) throws IOException {
    wire.send(Stream.STDOUT, data, offset, length);
  }

  /** Writes to stderr; with a terminal there is no stderr stream and it goes to stdout. */
  void stderr(byte[] data, int offset, int length) throws IOException {
    wire.send(tty() ? Stream.STDOUT : Stream.STDERR, data, offset, length);
  }

  /** Reports the command's exit code and closes the connection. */
  void exited(int code) {
    finish(ExitStatus.exited(protocol, code));
  }

  /** Reports a failure to run the command and closes the connection. */
  void failed(String message) {
    finish(ExitStatus.failed(protocol, message));
  }

  private void finish(byte[] status) {
    if (!finished.compareAndSet(false, true) || wire == null) {
      return;
    }
    Set<Stream> streams = streams();
    for (Stream stream : List.of(Stream.STDOUT, Stream.STDERR)) {
      if (streams.contains(stream)) {
        wire.end(stream);
      }
    }
    try {
      if (status.length > 0) {
        wire.send(Stream.ERROR, status, 0, status.length);
      }
    } catch (IOException e) {
      // The client is gone; nothing more to tell it.
    }
    wire.end(Stream.ERROR);
    wire.close();
  }
}
