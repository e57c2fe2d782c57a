package io.pier.stream;

import io.netty.buffer.ByteBuf;
import io.pier.stream.CommandSession.Stream;
import java.io.IOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A remote command's streams on a SPDY connection: each stream names its role in a
 * {@code streamType} header; the command starts once every stream the request implies is open.
 */
final class SpdyCommand implements SpdyConnection.Target, CommandSession.Wire {

  private final SpdyConnection connection;
  private final CommandSession session;
  private final CommandStarter starter;
  private final Map<Stream, Integer> streamIds = new EnumMap<>(Stream.class);
  private final Map<Integer, Stream> roles = new ConcurrentHashMap<>();
  private boolean started;

  SpdyCommand(SpdyConnection connection, CommandSession session, CommandStarter starter) {
    this.connection = connection;
    this.session = session;
    this.starter = starter;
    session.wire(this);
  }

  @Override
  public void opened(int streamId, Map<String, String> headers) {
    Optional<Stream> role = role(headers.getOrDefault("streamtype", ""));
    if (role.isEmpty()) {
      connection.end(streamId);
      return;
    }
    synchronized (streamIds) {
      streamIds.put(role.get(), streamId);
    }
    roles.put(streamId, role.get());
    // Limitation: no deadline for the remaining streams; a client that never opens them
    // holds its connection, and nothing else, until it closes it.
    if (!started && streamIds.keySet().containsAll(session.streams())) {
      started = true;
      starter.start(session);
    }
  }

  @Override
  public void received(int streamId, ByteBuf data) {
    Stream role = roles.get(streamId);
    if (role != null) {
      session.received(role, data);
    }
  }

  @Override
  public void ended(int streamId) {
    Stream role = roles.get(streamId);
    if (role != null) {
      session.ended(role);
    }
  }

  @Override
  public void gone() {
    session.clientGone();
  }

  @Override
  public void send(Stream stream, byte[] data, int offset, int length) throws IOException {
    Integer id = id(stream);
    if (id != null) {
      connection.send(id, data, offset, length);
    }
  }

  @Override
  public void end(Stream stream) {
    Integer id = id(stream);
    if (id != null) {
      connection.end(id);
    }
  }

  @Override
  public void close() {
    connection.close();
  }

  private Integer id(Stream stream) {
    synchronized (streamIds) {
      return streamIds.get(stream);
    }
  }

  /** The role a {@code streamType} header value names. */
  static Optional<Stream> role(String streamType) {
    return switch (streamType) {
      case "stdin" -> Optional.of(Stream.STDIN);
      case "stdout" -> Optional.of(Stream.STDOUT);
      case "stderr" -> Optional.of(Stream.STDERR);
      case "error" -> Optional.of(Stream.ERROR);
      case "resize" -> Optional.of(Stream.RESIZE);
      default -> Optional.empty();
    };
  }
}
