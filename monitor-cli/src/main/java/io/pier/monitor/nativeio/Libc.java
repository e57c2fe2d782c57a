package io.pier.monitor.nativeio;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

/**
 * The C library calls the JDK lacks, bound with Java's foreign-function API.
 *
 * <p>The FFM API is in the JDK itself, so piermon needs no extra jar or JNI stub on the
 * container's start path, and its downcalls are cheaper than jnr's reflection-built ones.
 *
 * <p>Limitation: struct offsets are those of 64-bit Linux (x86_64, aarch64).
 */
public final class Libc {
  public static final int O_RDONLY = 0;
  public static final int O_WRONLY = 1;
  public static final int O_RDWR = 2;
  public static final int O_CREAT = 0100;
  public static final int O_NONBLOCK = 04000;
  public static final int O_CLOEXEC = 02000000;
  public static final int O_PATH = 010000000;

  public static final int AF_UNIX = 1;
  public static final int SOCK_STREAM = 1;
  public static final int SOCK_SEQPACKET = 5;
  public static final int SOCK_CLOEXEC = 02000000;
  public static final int SHUT_RD = 0;
  public static final int SHUT_RDWR = 2;
  public static final int MSG_NOSIGNAL = 0x4000;

  public static final int SIGINT = 2;
  public static final int SIGKILL = 9;
  public static final int SIGTERM = 15;

  private static final int PR_SET_CHILD_SUBREAPER = 36;
  private static final long TIOCSWINSZ = 0x5414;
  private static final int F_SETFD = 2;
  private static final int FD_CLOEXEC = 1;
  private static final int F_GETFL = 3;
  private static final int F_SETFL = 4;
  private static final int WNOHANG = 1;
  private static final int SOL_SOCKET = 1;
  private static final int SCM_RIGHTS = 1;
  private static final int POSIX_SPAWN_SETSIGDEF = 0x04;
  private static final int POSIX_SPAWN_SETSIGMASK = 0x08;
  /** glibc's posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336; room to spare. */
  private static final long SPAWN_STRUCT_SIZE = 512;
  private static final long SIGSET_SIZE = 128;
  private static final int SUN_PATH_MAX = 108;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final SymbolLookup LOOKUP = LINKER.defaultLookup();
  private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final ThreadLocal<MemorySegment> CAPTURED =
      ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

  private static final MethodHandle READ = errnoFn("read", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
  private static final MethodHandle WRITE =
      errnoFn("write", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
  private static final MethodHandle CLOSE = errnoFn("close", JAVA_INT, JAVA_INT);
  private static final MethodHandle PIPE2 = errnoFn("pipe2", JAVA_INT, ADDRESS, JAVA_INT);
  private static final MethodHandle DUP = errnoFn("dup", JAVA_INT, JAVA_INT);
  private static final MethodHandle DUP2 = errnoFn("dup2", JAVA_INT, JAVA_INT, JAVA_INT);
  private static final MethodHandle OPEN =
      variadicFn("open", 2, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
  private static final MethodHandle FCNTL =
      variadicFn("fcntl", 2, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
  private static final MethodHandle IOCTL =
      variadicFn("ioctl", 2, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS);
  private static final MethodHandle PRCTL =
      variadicFn("prctl", 1, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
  private static final MethodHandle SETSID = errnoFn("setsid", JAVA_INT);
  private static final MethodHandle GETPGID = errnoFn("getpgid", JAVA_INT, JAVA_INT);
  private static final MethodHandle KILL = errnoFn("kill", JAVA_INT, JAVA_INT, JAVA_INT);
  private static final MethodHandle WAITPID =
      errnoFn("waitpid", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
  private static final MethodHandle MKFIFO = errnoFn("mkfifo", JAVA_INT, ADDRESS, JAVA_INT);
  private static final MethodHandle EVENTFD = errnoFn("eventfd", JAVA_INT, JAVA_INT, JAVA_INT);
  private static final MethodHandle SOCKET =
      errnoFn("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
  private static final MethodHandle BIND = errnoFn("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
  private static final MethodHandle LISTEN = errnoFn("listen", JAVA_INT, JAVA_INT, JAVA_INT);
  private static final MethodHandle ACCEPT4 =
      errnoFn("accept4", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
  private static final MethodHandle SEND =
      errnoFn("send", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
  private static final MethodHandle RECVMSG =
      errnoFn("recvmsg", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
  private static final MethodHandle SHUTDOWN = errnoFn("shutdown", JAVA_INT, JAVA_INT, JAVA_INT);
  private static final MethodHandle TCGETATTR =
      errnoFn("tcgetattr", JAVA_INT, JAVA_INT, ADDRESS);
  private static final MethodHandle TCSETATTR =
      errnoFn("tcsetattr", JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
  private static final MethodHandle SPAWN = plainFn("posix_spawn",
      JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
  private static final MethodHandle FA_INIT =
      plainFn("posix_spawn_file_actions_init", JAVA_INT, ADDRESS);
  private static final MethodHandle FA_DESTROY =
      plainFn("posix_spawn_file_actions_destroy", JAVA_INT, ADDRESS);
  private static final MethodHandle FA_DUP2 = plainFn("posix_spawn_file_actions_adddup2",
      JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
  private static final MethodHandle ATTR_INIT = plainFn("posix_spawnattr_init", JAVA_INT, ADDRESS);
  private static final MethodHandle ATTR_DESTROY =
      plainFn("posix_spawnattr_destroy", JAVA_INT, ADDRESS);
  private static final MethodHandle ATTR_FLAGS =
      plainFn("posix_spawnattr_setflags", JAVA_INT, ADDRESS, JAVA_SHORT);
  private static final MethodHandle ATTR_SIGDEF =
      plainFn("posix_spawnattr_setsigdefault", JAVA_INT, ADDRESS, ADDRESS);
  private static final MethodHandle ATTR_SIGMASK =
      plainFn("posix_spawnattr_setsigmask", JAVA_INT, ADDRESS, ADDRESS);
  private static final MethodHandle SIGFILLSET = plainFn("sigfillset", JAVA_INT, ADDRESS);
  private static final MethodHandle SIGEMPTYSET = plainFn("sigemptyset", JAVA_INT, ADDRESS);
  private static final MethodHandle OPENLOG = LINKER.downcallHandle(find("openlog"),
      FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT));
  private static final MethodHandle SYSLOG = LINKER.downcallHandle(find("syslog"),
      FunctionDescriptor.ofVoid(JAVA_INT, ADDRESS, ADDRESS), Linker.Option.firstVariadicArg(2));

  private Libc() {}

  private static MemorySegment find(String name) {
    return LOOKUP.find(name).orElseThrow(() -> new UnsatisfiedLinkError("no symbol " + name));
  }

  private static MethodHandle errnoFn(String name, MemoryLayout ret, MemoryLayout... args) {
    return LINKER.downcallHandle(find(name), FunctionDescriptor.of(ret, args),
        Linker.Option.captureCallState("errno"));
  }

  private static MethodHandle variadicFn(
      String name, int firstVariadic, MemoryLayout ret, MemoryLayout... args) {
    return LINKER.downcallHandle(find(name), FunctionDescriptor.of(ret, args),
        Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(firstVariadic));
  }

  private static MethodHandle plainFn(String name, MemoryLayout ret, MemoryLayout... args) {
    return LINKER.downcallHandle(find(name), FunctionDescriptor.of(ret, args));
  }

  private static MemorySegment state() {
    return CAPTURED.get();
  }

  private static int errno(MemorySegment state) {
    return (int) ERRNO.get(state, 0L);
  }

  private static int check(String call, int result, MemorySegment state) throws NativeException {
    if (result < 0) {
      throw new NativeException(call, errno(state));
    }
    return result;
  }

  private static RuntimeException unexpected(Throwable t) {
    if (t instanceof RuntimeException r) {
      return r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IllegalStateException(t);
  }

  /** Reads up to {@code len} bytes into {@code buf}; returns 0 at end of file. */
  public static int read(int fd, MemorySegment buf, long len) throws NativeException {
    MemorySegment st = state();
    while (true) {
      long n;
      try {
        n = (long) READ.invokeExact(st, fd, buf, len);
      } catch (Throwable t) {
        throw unexpected(t);
      }
      if (n >= 0) {
        return (int) n;
      }
      int e = errno(st);
      if (e != Errno.EINTR) {
        throw new NativeException("read", e);
      }
    }
  }

  /** Writes all {@code len} bytes of {@code buf}. */
  public static void writeAll(int fd, MemorySegment buf, long len) throws NativeException {
    MemorySegment st = state();
    long off = 0;
    while (off < len) {
      long n;
      try {
        n = (long) WRITE.invokeExact(st, fd, buf.asSlice(off), len - off);
      } catch (Throwable t) {
        throw unexpected(t);
      }
      if (n < 0) {
        int e = errno(st);
        if (e == Errno.EINTR) {
          continue;
        }
        throw new NativeException("write", e);
      }
      off += n;
    }
  }

  /** Writes all of {@code bytes} to {@code fd}. */
  public static void writeAll(int fd, byte[] bytes) throws NativeException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment seg = arena.allocate(Math.max(1, bytes.length));
      MemorySegment.copy(bytes, 0, seg, JAVA_BYTE_LAYOUT, 0, bytes.length);
      writeAll(fd, seg, bytes.length);
    }
  }

  private static final java.lang.foreign.ValueLayout.OfByte JAVA_BYTE_LAYOUT =
      java.lang.foreign.ValueLayout.JAVA_BYTE;

  /** Closes {@code fd}, ignoring errors: there is nothing useful to do about them. */
  public static void closeQuietly(int fd) {
    if (fd < 0) {
      return;
    }
    try {
      int unused = (int) CLOSE.invokeExact(state(), fd);
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /** Creates a close-on-exec pipe; returns {read end, write end}. */
  public static int[] pipe() throws NativeException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment fds = arena.allocate(JAVA_INT, 2);
      MemorySegment st = state();
      check("pipe2", (int) PIPE2.invokeExact(st, fds, O_CLOEXEC), st);
      return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
    } catch (NativeException e) {
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /** Duplicates {@code fd} onto the lowest free descriptor. */
  public static int dup(int fd) throws NativeException {
    MemorySegment st = state();
    try {
      return check("dup", (int) DUP.invokeExact(st, fd), st);
    } catch (NativeException e) {
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /** Makes {@code to} a copy of {@code from}. */
  public static void dup2(int from, int to) throws NativeException {
    MemorySegment st = state();
    try {
      check("dup2", (int) DUP2.invokeExact(st, from, to), st);
    } catch (NativeException e) {
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /** Opens {@code path} with {@code flags} and {@code mode}. */
  public static int open(String path, int flags, int mode) throws NativeException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment st = state();
      return check("open " + path,
          (int) OPEN.invokeExact(st, cstring(arena, path), flags, mode), st);
    } catch (NativeException e) {
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /** Sets close-on-exec on {@code fd}, so no child inherits it. */
  public static void setCloseOnExec(int fd) throws NativeException {
    MemorySegment st = state();
    try {
      check("fcntl", (int) FCNTL.invokeExact(st, fd, F_SETFD, FD_CLOEXEC), st);
    } catch (NativeException e) {
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /** Turns O_NONBLOCK on or off for {@code fd}. */
  public static void setNonBlocking(int fd, boolean on) throws NativeException {
    MemorySegment st = state();
    try {
      int flags = check("fcntl", (int) FCNTL.invokeExact(st, fd, F_GETFL, 0), st);
      int next = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
      check("fcntl", (int) FCNTL.invokeExact(st, fd, F_SETFL, next), st);
    } catch (NativeException e) {
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /** Makes this process the reaper of its orphaned descendants (prctl). */
  public static void becomeChildSubreaper(boolean on) throws NativeException {
    MemorySegment st = state();
    try {
      check("prctl(PR_SET_CHILD_SUBREAPER)",
          (int) PRCTL.invokeExact(st, PR_SET_CHILD_SUBREAPER, on ? 1L : 0L, 0L, 0L, 0L), st);
    } catch (NativeException e) {
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /** Starts a new session; returns false when this process already leads one. */
  public static boolean setsid() {
    try {
      return (int) SETSID.invokeExact(state()) >= 0;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /** Returns the process group of {@code pid}, or -1 when it is gone. */
  public static int getpgid(int pid) {
    try {
      return (int) GETPGID.invokeExact(state(), pid);
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /** Sends {@code sig} to {@code pid}; returns false with ESRCH when there is no such process. */
  public static boolean kill(int pid, int sig) throws NativeException {
    MemorySegment st = state();
    int r;
    try {
      r = (int) KILL.invokeExact(st, pid, sig);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    if (r == 0) {
      return true;
    }
    int e = errno(st);
    if (e == Errno.ESRCH) {
      return false;
    }
    throw new NativeException("kill", e);
  }

  /**
   * Waits for a child; returns {pid, raw status}, or {0, 0} with {@code noHang} and no child
   * done. Throws with ECHILD when there are no children left.
   */
  public static int[] waitpid(int pid, boolean noHang) throws NativeException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment status = arena.allocate(JAVA_INT);
      MemorySegment st = state();
      while (true) {
        int r = (int) WAITPID.invokeExact(st, pid, status, noHang ? WNOHANG : 0);
        if (r >= 0) {
          return new int[] {r, r == 0 ? 0 : status.get(JAVA_INT, 0)};
        }
        int e = errno(st);
        if (e != Errno.EINTR) {
          throw new NativeException("waitpid", e);
        }
      }
    } catch (NativeException e) {
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /** Creates a named pipe at {@code path}. */
  public static void mkfifo(String path, int mode) throws NativeException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment st = state();
      check("mkfifo " + path, (int) MKFIFO.invokeExact(st, cstring(arena, path), mode), st);
    } catch (NativeException e) {
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /** Creates a close-on-exec eventfd. */
  public static int eventfd() throws NativeException {
    MemorySegment st = state();
    try {
      return check("eventfd", (int) EVENTFD.invokeExact(st, 0, O_CLOEXEC), st);
    } catch (NativeException e) {
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /** Creates a close-on-exec unix socket of {@code type}, bound to {@code path}, listening. */
  public static int listenUnix(String path, int type) throws NativeException {
    MemorySegment st = state();
    int fd;
    try {
      fd = check("socket", (int) SOCKET.invokeExact(st, AF_UNIX, type | SOCK_CLOEXEC, 0), st);
    } catch (NativeException e) {
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
    try (Arena arena = Arena.ofConfined()) {
      byte[] name = path.getBytes(StandardCharsets.UTF_8);
      if (name.length >= SUN_PATH_MAX) {
        throw new NativeException("bind " + path + " (path too long)", Errno.EINVAL);
      }
      MemorySegment addr = arena.allocate(2 + SUN_PATH_MAX);
      addr.set(JAVA_SHORT, 0, (short) AF_UNIX);
      MemorySegment.copy(name, 0, addr, JAVA_BYTE_LAYOUT, 2, name.length);
      check("bind " + path, (int) BIND.invokeExact(st, fd, addr, 2 + SUN_PATH_MAX), st);
      check("listen " + path, (int) LISTEN.invokeExact(st, fd, 128), st);
      return fd;
    } catch (NativeException e) {
      closeQuietly(fd);
      throw e;
    } catch (Throwable t) {
      closeQuietly(fd);
      throw unexpected(t);
    }
  }

  /** Accepts a connection on a listening socket; the new socket is close-on-exec. */
  public static int accept(int fd) throws NativeException {
    MemorySegment st = state();
    while (true) {
      int r;
      try {
        r = (int) ACCEPT4.invokeExact(st, fd, MemorySegment.NULL, MemorySegment.NULL,
            SOCK_CLOEXEC);
      } catch (Throwable t) {
        throw unexpected(t);
      }
      if (r >= 0) {
        return r;
      }
      int e = errno(st);
      if (e != Errno.EINTR) {
        throw new NativeException("accept", e);
      }
    }
  }

  /** Sends one packet without raising SIGPIPE. */
  public static void send(int fd, MemorySegment buf, long len) throws NativeException {
    MemorySegment st = state();
    while (true) {
      long r;
      try {
        r = (long) SEND.invokeExact(st, fd, buf, len, MSG_NOSIGNAL);
      } catch (Throwable t) {
        throw unexpected(t);
      }
      if (r >= 0) {
        return;
      }
      int e = errno(st);
      if (e != Errno.EINTR) {
        throw new NativeException("send", e);
      }
    }
  }

  /** Shuts down one or both directions of a socket; errors are of no interest here. */
  public static void shutdown(int fd, int how) {
    try {
      int unused = (int) SHUTDOWN.invokeExact(state(), fd, how);
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /**
   * Receives one file descriptor passed with SCM_RIGHTS on a connected unix socket; returns -1
   * when the peer sent none.
   */
  public static int receiveFd(int sock) throws NativeException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment data = arena.allocate(4096);
      MemorySegment iov = arena.allocate(16);
      iov.set(ADDRESS, 0, data);
      iov.set(JAVA_LONG, 8, 4096L);
      long controlLen = 16 + 8;
      MemorySegment control = arena.allocate(controlLen, 8);
      MemorySegment msg = arena.allocate(56, 8);
      msg.set(ADDRESS, 16, iov);
      msg.set(JAVA_LONG, 24, 1L);
      msg.set(ADDRESS, 32, control);
      msg.set(JAVA_LONG, 40, controlLen);
      MemorySegment st = state();
      long n;
      while (true) {
        n = (long) RECVMSG.invokeExact(st, sock, msg, O_CLOEXEC);
        if (n >= 0 || errno(st) != Errno.EINTR) {
          break;
        }
      }
      if (n < 0) {
        throw new NativeException("recvmsg", errno(st));
      }
      long gotControl = msg.get(JAVA_LONG, 40);
      if (gotControl < 16 + 4 || control.get(JAVA_INT, 8) != SOL_SOCKET
          || control.get(JAVA_INT, 12) != SCM_RIGHTS) {
        return -1;
      }
      return control.get(JAVA_INT, 16);
    } catch (NativeException e) {
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /** Sets the window size of the terminal {@code fd}. */
  public static void setWindowSize(int fd, int rows, int cols) throws NativeException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment ws = arena.allocate(8);
      ws.set(JAVA_SHORT, 0, (short) rows);
      ws.set(JAVA_SHORT, 2, (short) cols);
      MemorySegment st = state();
      check("ioctl(TIOCSWINSZ)", (int) IOCTL.invokeExact(st, fd, TIOCSWINSZ, ws), st);
    } catch (NativeException e) {
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /** Turns on output newline translation (ONLCR) on terminal {@code fd}, as kubelet expects. */
  public static void enableOnlcr(int fd) throws NativeException {
    try (Arena arena = Arena.ofConfined()) {
      // struct termios: c_iflag, c_oflag, ... ; 60 bytes on Linux.
      MemorySegment tio = arena.allocate(64, 4);
      MemorySegment st = state();
      check("tcgetattr", (int) TCGETATTR.invokeExact(st, fd, tio), st);
      final int onlcr = 04;
      tio.set(JAVA_INT, 4, tio.get(JAVA_INT, 4) | onlcr);
      check("tcsetattr", (int) TCSETATTR.invokeExact(st, fd, 0, tio), st);
    } catch (NativeException e) {
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /**
   * Starts {@code argv[0]} with {@code env}; child descriptors 0, 1, 2 become {@code stdio},
   * every other descriptor of ours is close-on-exec, and signals are back at their defaults.
   */
  public static int spawn(String[] argv, String[] env, int[] stdio) throws NativeException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment actions = arena.allocate(SPAWN_STRUCT_SIZE, 8);
      MemorySegment attr = arena.allocate(SPAWN_STRUCT_SIZE, 8);
      MemorySegment sigs = arena.allocate(SIGSET_SIZE, 8);
      MemorySegment noSigs = arena.allocate(SIGSET_SIZE, 8);
      int r = (int) FA_INIT.invokeExact(actions);
      r |= (int) ATTR_INIT.invokeExact(attr);
      try {
        for (int i = 0; i < 3; i++) {
          r |= (int) FA_DUP2.invokeExact(actions, stdio[i], i);
        }
        r |= (int) SIGFILLSET.invokeExact(sigs);
        r |= (int) SIGEMPTYSET.invokeExact(noSigs);
        r |= (int) ATTR_SIGDEF.invokeExact(attr, sigs);
        r |= (int) ATTR_SIGMASK.invokeExact(attr, noSigs);
        r |= (int) ATTR_FLAGS.invokeExact(attr,
            (short) (POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK));
        if (r != 0) {
          throw new NativeException("posix_spawn set-up", Errno.EINVAL);
        }
        MemorySegment pid = arena.allocate(JAVA_INT);
        int err = (int) SPAWN.invokeExact(pid, cstring(arena, argv[0]), actions, attr,
            cstringArray(arena, argv), cstringArray(arena, env));
        if (err != 0) {
          throw new NativeException("posix_spawn " + argv[0], err);
        }
        return pid.get(JAVA_INT, 0);
      } finally {
        int unused = (int) FA_DESTROY.invokeExact(actions);
        unused = (int) ATTR_DESTROY.invokeExact(attr);
      }
    } catch (NativeException e) {
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /** Opens the system log under {@code ident} (LOG_PID, facility LOG_DAEMON). */
  public static void openlog(String ident) {
    try {
      // openlog keeps the pointer, so the name lives as long as the process.
      OPENLOG.invokeExact(cstring(Arena.global(), ident), 0x01, 3 << 3);
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /** Sends one line to the system log at {@code priority}. */
  public static void syslog(int priority, String line) {
    try (Arena arena = Arena.ofConfined()) {
      SYSLOG.invokeExact(priority, cstring(arena, "%s"), cstring(arena, line));
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  private static MemorySegment cstring(Arena arena, String s) {
    return arena.allocateFrom(s, StandardCharsets.UTF_8);
  }

  private static MemorySegment cstringArray(Arena arena, String[] items) {
    MemorySegment array = arena.allocate(ADDRESS, items.length + 1L);
    for (int i = 0; i < items.length; i++) {
      array.setAtIndex(ADDRESS, i, cstring(arena, items[i]));
    }
    array.setAtIndex(ADDRESS, items.length, MemorySegment.NULL);
    return array;
  }
}
