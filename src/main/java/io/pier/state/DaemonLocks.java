package io.pier.state;

import io.pier.PierStartupException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The locks that keep a second pierd off this daemon's run root, root and socket, held for
 * the daemon's lifetime.
 */
public final class DaemonLocks implements AutoCloseable {

  private final List<FileChannel> held = new ArrayList<>();

  private DaemonLocks() {}

  /**
   * Locks {@code <run-root>/pierd.lock}, {@code <root>/pierd.lock} and {@code <socket>.lock},
   * or throws naming what another pierd holds, having released whatever it took.
   */
  public static DaemonLocks claim(Path runRoot, Path root, Path socket) {
    DaemonLocks locks = new DaemonLocks();
    try {
      locks.take(runRoot.resolve("pierd.lock"), "another pierd is already using run root "
          + runRoot + "; stop it, or give this one its own PIER_RUN_ROOT and PIER_ROOT");
      locks.take(root.resolve("pierd.lock"), "another pierd is already using root " + root
          + "; stop it, or give this one its own PIER_ROOT and PIER_RUN_ROOT");
      Files.createDirectories(socket.getParent());
      String serving = "another pierd is already serving " + socket
          + "; stop it, or give this one its own socket with PIER_SOCKET";
      locks.take(socket.resolveSibling(socket.getFileName() + ".lock"), serving);
      if (answers(socket)) {
        throw new PierStartupException(serving);
      }
      return locks;
    } catch (IOException e) {
      locks.close();
      throw new PierStartupException("cannot create lock file " + e.getMessage(), e);
    } catch (RuntimeException e) {
      locks.close();
      throw e;
    }
  }

  /**
   * Takes an exclusive lock on a root-only file, or throws when another process holds it.
   * The file is private so no unprivileged user can hold it to keep pierd from starting.
   */
  private void take(Path file, String heldElsewhere) throws IOException {
    FileChannel channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE,
        StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rw-------")));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    FileLock lock = channel.tryLock();
    if (lock == null) {
      channel.close();
      throw new PierStartupException(heldElsewhere);
    }
    held.add(channel);
  }

  /** Whether something accepts connections on a socket path. */
  public static boolean answers(Path path) {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      return channel.connect(UnixDomainSocketAddress.of(path));
    } catch (IOException e) {
      return false;
    }
  }

  /** Releases every lock taken. */
  @Override
  public void close() {
    for (FileChannel channel : held) {
      try {
        channel.close();
      } catch (IOException e) {
        // Closing a lock file cannot fail in a way worth reporting; the process exit frees it.
      }
    }
    held.clear();
  }
}
