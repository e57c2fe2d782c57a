package io.pier.stream;

import io.pier.container.Container;
import java.io.FileOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/**
 * One attach: the container's stdio through its monitor's attach socket (a seqpacket socket
 * at {@code <attach dir>/<container ID>/attach}, conmon's convention). Each packet from the
 * monitor starts with the stream it came from, 2 stdout or 3 stderr; what the client types
 * goes to the monitor unframed. Resize goes through the monitor's control fifo {@code ctl}.
 */
final class AttachStream {

  private static final Logger LOG = Logger.getLogger(AttachStream.class);
  /** conmon's stream byte for the container's stdout. */
  static final int STDOUT = 2;
  /** conmon's stream byte for the container's stderr. */
  static final int STDERR = 3;
  /** Larger than any packet a monitor sends (conmon: 8 KiB of output and the stream byte). */
  private static final int PACKET = 64 * 1024 + 1;
  /** The control fifo's message type for a terminal size. */
  private static final int RESIZE_MESSAGE = 1;

  private final CommandSession session;
  private final Container container;
  private final Path attachDir;

  AttachStream(CommandSession session, Container container, Path attachDir) {
    this.session = session;
    this.container = container;
    this.attachDir = attachDir;
  }

  /** Relays until the container's output ends (it exited) or the client leaves. */
  void run() throws IOException, InterruptedException {
    Path dir = attachDir.resolve(container.id());
    int socket = StreamNative.connectSeqpacket(dir.toString(), "attach");
    try {
      session.whenGone(() -> StreamNative.shutdown(socket, StreamNative.SHUT_RDWR));
      StreamRequest.Attach attach = (StreamRequest.Attach) session.request();
      if (attach.stdin()) {
        Thread.ofPlatform().daemon().name("attach-stdin").start(() -> copyStdin(socket));
      }
      if (attach.tty()) {
        session.onResize(size -> resize(dir.resolve("ctl"), size));
      }
      relayOutput(socket);
    } finally {
      StreamNative.close(socket);
    }
  }

  private void relayOutput(int socket) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buffer = arena.allocate(PACKET);
      byte[] bytes = new byte[PACKET];
      int n;
      while ((n = StreamNative.read(socket, buffer)) > 0) {
        MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, bytes, 0, n);
        if (bytes[0] == STDERR) {
          session.stderr(bytes, 1, n - 1);
        } else {
          session.stdout(bytes, 1, n - 1);
        }
      }
    } catch (IOException e) {
      if (!session.isGone()) {
        throw e;
      }
    }
  }

  private void copyStdin(int socket) {
    try {
      byte[] chunk;
      while ((chunk = session.readStdin()) != null) {
        StreamNative.writeAll(socket, chunk, 0, chunk.length);
      }
      // The monitor closes the container's stdin when the client's input ends, if asked to.
      StreamNative.shutdown(socket, StreamNative.SHUT_WR);
    } catch (IOException e) {
      LOG.debugf("attach stdin of container %s: %s", container.id(), e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void resize(Path control, TerminalSize size) {
    String message = RESIZE_MESSAGE + " " + size.height() + " " + size.width() + "\n";
    try (FileOutputStream out = new FileOutputStream(control.toFile(), true)) {
      out.write(message.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      LOG.debugf("resizing container %s: %s", container.id(), e.getMessage());
    }
  }
}
