package io.pier.stream;

import io.pier.system.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/**
 * The Linux calls streaming needs and the JDK lacks: pseudo-terminals, seqpacket unix sockets
 * (the monitor's attach socket) and entering a pod's network namespace.
 */
final class StreamNative {

  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
  private static final java.lang.foreign.AddressLayout PTR = ValueLayout.ADDRESS;

  private static final MethodHandle POSIX_OPENPT = Libc.function("posix_openpt",
      FunctionDescriptor.of(INT, INT));
  private static final MethodHandle GRANTPT = Libc.function("grantpt",
      FunctionDescriptor.of(INT, INT));
  private static final MethodHandle UNLOCKPT = Libc.function("unlockpt",
      FunctionDescriptor.of(INT, INT));
  private static final MethodHandle PTSNAME_R = Libc.function("ptsname_r",
      FunctionDescriptor.of(INT, INT, PTR, LONG));
  private static final MethodHandle IOCTL_PTR = Libc.function("ioctl",
      FunctionDescriptor.of(INT, INT, LONG, PTR), Linker.Option.firstVariadicArg(2));
  private static final MethodHandle OPEN = Libc.function("open",
      FunctionDescriptor.of(INT, PTR, INT, INT), Linker.Option.firstVariadicArg(2));
  private static final MethodHandle READ = Libc.function("read",
      FunctionDescriptor.of(LONG, INT, PTR, LONG));
  private static final MethodHandle WRITE = Libc.function("write",
      FunctionDescriptor.of(LONG, INT, PTR, LONG));
  private static final MethodHandle CLOSE = Libc.function("close", FunctionDescriptor.of(INT, INT));
  private static final MethodHandle SETNS = Libc.function("setns",
      FunctionDescriptor.of(INT, INT, INT));
  private static final MethodHandle SOCKET = Libc.function("socket",
      FunctionDescriptor.of(INT, INT, INT, INT));
  private static final MethodHandle CONNECT = Libc.function("connect",
      FunctionDescriptor.of(INT, INT, PTR, INT));
  private static final MethodHandle SHUTDOWN = Libc.function("shutdown",
      FunctionDescriptor.of(INT, INT, INT));

  static final int O_RDONLY = 0;
  static final int O_RDWR = 2;
  static final int O_NOCTTY = 0400;
  static final int O_CLOEXEC = 02000000;
  static final int O_PATH = 010000000;
  /** {@code CLONE_NEWNET}: the network namespace, for setns. */
  static final int CLONE_NEWNET = 0x40000000;
  static final int SHUT_WR = 1;
  static final int SHUT_RDWR = 2;
  private static final int AF_UNIX = 1;
  private static final int SOCK_SEQPACKET = 5;
  private static final int SOCK_CLOEXEC = 02000000;
  private static final int TIOCSWINSZ = 0x5414;
  private static final int EINTR = 4;
  /** {@code sun_path} holds at most this many bytes including the terminating NUL. */
  private static final int SUN_PATH_MAX = 108;

  private StreamNative() {}

  /** Opens a new pseudo-terminal; returns its master descriptor, unlocked. */
  static int openPtyMaster() throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(Libc.CALL_STATE);
      int fd = (int) POSIX_OPENPT.invokeExact(state, O_RDWR | O_NOCTTY | O_CLOEXEC);
      Libc.check(fd, state, "posix_openpt");
      int rc = (int) GRANTPT.invokeExact(state, fd);
      if (rc == 0) {
        rc = (int) UNLOCKPT.invokeExact(state, fd);
      }
      if (rc != 0) {
        IOException e = Libc.failure(state, "unlocking a pseudo-terminal");
        close(fd);
        throw e;
      }
      return fd;
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** The path of the terminal (slave) side of a pseudo-terminal master. */
  static String ptsName(int master) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(Libc.CALL_STATE);
      MemorySegment name = arena.allocate(128);
      int rc = (int) PTSNAME_R.invokeExact(state, master, name, 128L);
      if (rc != 0) {
        throw new IOException("ptsname: " + Libc.strerror(rc));
      }
      return name.getString(0);
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** Sets a terminal's window size; the kernel signals SIGWINCH to its foreground group. */
  static void setWindowSize(int fd, int rows, int columns) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(Libc.CALL_STATE);
      MemorySegment size = arena.allocate(8);
      size.set(ValueLayout.JAVA_SHORT, 0, (short) rows);
      size.set(ValueLayout.JAVA_SHORT, 2, (short) columns);
      int rc = (int) IOCTL_PTR.invokeExact(state, fd, (long) TIOCSWINSZ, size);
      Libc.check(rc, state, "setting the terminal size");
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** Opens a path and returns the descriptor. */
  static int open(String path, int flags) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(Libc.CALL_STATE);
      int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path), flags, 0);
      Libc.check(fd, state, "opening " + path);
      return fd;
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads into {@code buffer}; returns the count, 0 at end of input. */
  static int read(int fd, MemorySegment buffer) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(Libc.CALL_STATE);
      while (true) {
        long n = (long) READ.invokeExact(state, fd, buffer, buffer.byteSize());
        if (n >= 0) {
          return (int) n;
        }
        if (Libc.errno(state) != EINTR) {
          throw Libc.failure(state, "read");
        }
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes all of {@code data}. */
  static void writeAll(int fd, byte[] data, int offset, int length) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(Libc.CALL_STATE);
      MemorySegment buffer = arena.allocate(Math.max(1, length));
      MemorySegment.copy(data, offset, buffer, ValueLayout.JAVA_BYTE, 0, length);
      long done = 0;
      while (done < length) {
        long n = (long) WRITE.invokeExact(state, fd, buffer.asSlice(done), length - done);
        if (n < 0) {
          if (Libc.errno(state) == EINTR) {
            continue;
          }
          throw Libc.failure(state, "write");
        }
        done += n;
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** Closes a descriptor, ignoring errors. */
  static void close(int fd) {
    if (fd < 0) {
      return;
    }
    try (Arena arena = Arena.ofConfined()) {
      int rc = (int) CLOSE.invokeExact(arena.allocate(Libc.CALL_STATE), fd);
    } catch (Throwable e) {
      // Nothing to do about a failed close.
    }
  }

  /** Shuts down one or both directions of a socket, ignoring errors. */
  static void shutdown(int fd, int how) {
    try (Arena arena = Arena.ofConfined()) {
      int rc = (int) SHUTDOWN.invokeExact(arena.allocate(Libc.CALL_STATE), fd, how);
    } catch (Throwable e) {
      // A socket already closed by the peer.
    }
  }

  /** Moves the calling thread into the namespace that {@code fd} refers to. */
  static void setns(int fd, int type) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(Libc.CALL_STATE);
      int rc = (int) SETNS.invokeExact(state, fd, type);
      Libc.check(rc, state, "setns");
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Connects a SOCK_SEQPACKET unix socket to {@code socketName} in the directory {@code dir};
   * the directory is reached through a descriptor, as socket paths are limited to 107 bytes.
   */
  static int connectSeqpacket(String dir, String socketName) throws IOException {
    int dirFd = open(dir, O_PATH | O_CLOEXEC);
    try (Arena arena = Arena.ofConfined()) {
      byte[] path = ("/proc/self/fd/" + dirFd + "/" + socketName)
          .getBytes(StandardCharsets.UTF_8);
      if (path.length >= SUN_PATH_MAX) {
        throw new IOException("socket name too long: " + socketName);
      }
      MemorySegment state = arena.allocate(Libc.CALL_STATE);
      int fd = (int) SOCKET.invokeExact(state, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
      Libc.check(fd, state, "socket");
      MemorySegment address = arena.allocate(2 + SUN_PATH_MAX);
      address.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
      MemorySegment.copy(path, 0, address, ValueLayout.JAVA_BYTE, 2, path.length);
      int rc = (int) CONNECT.invokeExact(state, fd, address, 2 + path.length + 1);
      if (rc != 0) {
        IOException e = Libc.failure(state, "connecting to " + dir + "/" + socketName);
        close(fd);
        throw e;
      }
      return fd;
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    } finally {
      close(dirFd);
    }
  }
}
