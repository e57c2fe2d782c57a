package io.pier.monitor.nativeio;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
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
 * <p>FFM rather than jnr: it ships with the JDK, so no jar and no bundled native library (jnr's
 * jffi) load on the container's start path.
 *
 * <p>Limitation: system call numbers and struct layouts are those of x86_64 Linux.
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
  private static final int AT_FDCWD = -100;
  private static final int S_IFIFO = 0010000;
  private static final long TCGETS = 0x5401;
  private static final long TCSETS = 0x5402;
  private static final int ONLCR = 04;
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

  /**
   * Every C function is bound with this one shape (seven 64-bit integer arguments, a 64-bit
   * result, errno captured): binding is the largest start-up cost of the FFM API, and it is
   * paid once per distinct shape. On x86_64 an integer or pointer argument travels in a 64-bit
   * register either way, and a callee ignores registers it takes no argument from.
   */
  private static final FunctionDescriptor SHAPE = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG,
      JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);

  /** glibc's syscall(): every system call goes through it. */
  private static final MethodHandle SYSCALL = bind("syscall");

  /** posix_spawn and its attribute calls, bound on first use. */
  private static final class Spawn {
    static final MethodHandle SPAWN = bind("posix_spawn");
    static final MethodHandle FA_INIT = bind("posix_spawn_file_actions_init");
    static final MethodHandle FA_DESTROY = bind("posix_spawn_file_actions_destroy");
    static final MethodHandle FA_DUP2 = bind("posix_spawn_file_actions_adddup2");
    static final MethodHandle ATTR_INIT = bind("posix_spawnattr_init");
    static final MethodHandle ATTR_DESTROY = bind("posix_spawnattr_destroy");
    static final MethodHandle ATTR_FLAGS = bind("posix_spawnattr_setflags");
    static final MethodHandle ATTR_SIGDEF = bind("posix_spawnattr_setsigdefault");
    static final MethodHandle ATTR_SIGMASK = bind("posix_spawnattr_setsigmask");
    static final MethodHandle SIGFILLSET = bind("sigfillset");
    static final MethodHandle SIGEMPTYSET = bind("sigemptyset");
  }

  /** syslog calls, bound on first use. */
  private static final class Log {
    static final MethodHandle OPENLOG = bind("openlog");
    static final MethodHandle SYSLOG = bind("syslog");
  }

  private Libc() {}

  /** x86_64 system call numbers. Limitation: other architectures are not supported yet. */
  private static final class Nr {
    static final long READ = 0;
    static final long WRITE = 1;
    static final long CLOSE = 3;
    static final long IOCTL = 16;
    static final long DUP = 32;
    static final long DUP2 = 33;
    static final long SOCKET = 41;
    static final long SENDTO = 44;
    static final long RECVMSG = 47;
    static final long SHUTDOWN = 48;
    static final long BIND = 49;
    static final long LISTEN = 50;
    static final long WAIT4 = 61;
    static final long KILL = 62;
    static final long FCNTL = 72;
    static final long SETSID = 112;
    static final long GETPGID = 121;
    static final long PRCTL = 157;
    static final long OPENAT = 257;
    static final long MKNODAT = 259;
    static final long ACCEPT4 = 288;
    static final long EVENTFD2 = 290;
    static final long PIPE2 = 293;
  }

  /**
   * Binds the calls a monitor makes before the container starts; run it on a spare thread
   * while the command line is parsed, to take the binding cost off the start path.
   */
  public static void prepare() {
    try {
      MethodHandle[] unused = {SYSCALL, Spawn.SPAWN};
    } catch (Throwable t) {
      // Any real problem shows again, where the call is made.
    }
  }

  private static MemorySegment find(String name) {
    return LOOKUP.find(name).orElseThrow(() -> new UnsatisfiedLinkError("no symbol " + name));
  }

  private static MethodHandle bind(String name) {
    // Variadic from the second argument, so variadic functions (syscall, syslog) get the
    // variadic calling convention; for the others it only sets a register they ignore.
    return LINKER.downcallHandle(find(name), SHAPE, Linker.Option.captureCallState("errno"),
        Linker.Option.firstVariadicArg(1));
  }

  /** Calls a bound C function; returns its result, or -errno when it returned -1. */
  private static long call(MethodHandle fn, long a, long b, long c, long d, long e, long f,
      long g) {
    MemorySegment st = state();
    long r;
    try {
      r = (long) fn.invokeExact(st, a, b, c, d, e, f, g);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    return r == -1 ? -errno(st) : r;
  }

  /** Calls a bound C function that returns an int: the upper half of the register is noise. */
  private static int callInt(MethodHandle fn, long a, long b, long c, long d, long e, long f) {
    MemorySegment st = state();
    long r;
    try {
      r = (long) fn.invokeExact(st, a, b, c, d, e, f, 0L);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    return (int) r;
  }

  private static int callInt(MethodHandle fn, long a) {
    return callInt(fn, a, 0, 0, 0, 0, 0);
  }

  private static int callInt(MethodHandle fn, long a, long b) {
    return callInt(fn, a, b, 0, 0, 0, 0);
  }

  private static long call(MethodHandle fn, long a, long b, long c) {
    return call(fn, a, b, c, 0, 0, 0, 0);
  }

  private static MemorySegment state() {
    return CAPTURED.get();
  }

  private static int errno(MemorySegment state) {
    return (int) ERRNO.get(state, 0L);
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

  /** Makes a system call; returns the kernel's result, or -errno on failure. */
  private static long sys(long nr, long a, long b, long c, long d, long e, long f) {
    return call(SYSCALL, nr, a, b, c, d, e, f);
  }

  private static long sys(long nr, long a, long b, long c) {
    return sys(nr, a, b, c, 0, 0, 0);
  }

  /** The same, retried while interrupted by a signal. */
  private static long sysRetry(long nr, long a, long b, long c, long d) {
    while (true) {
      long r = sys(nr, a, b, c, d, 0, 0);
      if (r != -Errno.EINTR) {
        return r;
      }
    }
  }

  private static long check(String call, long result) throws NativeException {
    if (result < 0) {
      throw new NativeException(call, (int) -result);
    }
    return result;
  }

  /** Reads up to {@code len} bytes into {@code buf}; returns 0 at end of file. */
  public static int read(int fd, MemorySegment buf, long len) throws NativeException {
    return (int) check("read", sysRetry(Nr.READ, fd, buf.address(), len, 0));
  }

  /** Writes all {@code len} bytes of {@code buf}. */
  public static void writeAll(int fd, MemorySegment buf, long len) throws NativeException {
    long off = 0;
    while (off < len) {
      off += check("write", sysRetry(Nr.WRITE, fd, buf.address() + off, len - off, 0));
    }
  }

  /** Writes all of {@code bytes} to {@code fd}. */
  public static void writeAll(int fd, byte[] bytes) throws NativeException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment seg = arena.allocate(Math.max(1, bytes.length));
      MemorySegment.copy(bytes, 0, seg, JAVA_BYTE, 0, bytes.length);
      writeAll(fd, seg, bytes.length);
    }
  }

  /** Closes {@code fd}, ignoring errors: there is nothing useful to do about them. */
  public static void closeQuietly(int fd) {
    if (fd >= 0) {
      sys(Nr.CLOSE, fd, 0, 0);
    }
  }

  /** Creates a close-on-exec pipe; returns {read end, write end}. */
  public static int[] pipe() throws NativeException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment fds = arena.allocate(JAVA_INT, 2);
      check("pipe2", sys(Nr.PIPE2, fds.address(), O_CLOEXEC, 0));
      return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
    }
  }

  /** Duplicates {@code fd} onto the lowest free descriptor. */
  public static int dup(int fd) throws NativeException {
    return (int) check("dup", sys(Nr.DUP, fd, 0, 0));
  }

  /** Makes {@code to} a copy of {@code from}. */
  public static void dup2(int from, int to) throws NativeException {
    check("dup2", sysRetry(Nr.DUP2, from, to, 0, 0));
  }

  /** Opens {@code path} with {@code flags} and {@code mode}. */
  public static int open(String path, int flags, int mode) throws NativeException {
    try (Arena arena = Arena.ofConfined()) {
      return (int) check("open " + path,
          sysRetry(Nr.OPENAT, AT_FDCWD, cstring(arena, path).address(), flags, mode));
    }
  }

  /** Sets close-on-exec on {@code fd}, so no child inherits it. */
  public static void setCloseOnExec(int fd) throws NativeException {
    check("fcntl", sys(Nr.FCNTL, fd, F_SETFD, FD_CLOEXEC));
  }

  /** Turns O_NONBLOCK on or off for {@code fd}. */
  public static void setNonBlocking(int fd, boolean on) throws NativeException {
    long flags = check("fcntl", sys(Nr.FCNTL, fd, F_GETFL, 0));
    check("fcntl", sys(Nr.FCNTL, fd, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK));
  }

  /** Makes this process the reaper of its orphaned descendants (prctl). */
  public static void becomeChildSubreaper(boolean on) throws NativeException {
    check("prctl(PR_SET_CHILD_SUBREAPER)", sys(Nr.PRCTL, PR_SET_CHILD_SUBREAPER, on ? 1 : 0, 0));
  }

  /** Starts a new session; returns false when this process already leads one. */
  public static boolean setsid() {
    return sys(Nr.SETSID, 0, 0, 0) >= 0;
  }

  /** Returns the process group of {@code pid}, or -1 when it is gone. */
  public static int getpgid(int pid) {
    long r = sys(Nr.GETPGID, pid, 0, 0);
    return r < 0 ? -1 : (int) r;
  }

  /** Sends {@code sig} to {@code pid}; returns false with ESRCH when there is no such process. */
  public static boolean kill(int pid, int sig) throws NativeException {
    long r = sys(Nr.KILL, pid, sig, 0);
    if (r == -Errno.ESRCH) {
      return false;
    }
    check("kill", r);
    return true;
  }

  /**
   * Waits for a child; returns {pid, raw status}, or {0, 0} with {@code noHang} and no child
   * done. Throws with ECHILD when there are no children left.
   */
  public static int[] waitpid(int pid, boolean noHang) throws NativeException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment status = arena.allocate(JAVA_INT);
      int r = (int) check("waitpid",
          sysRetry(Nr.WAIT4, pid, status.address(), noHang ? WNOHANG : 0, 0));
      return new int[] {r, r == 0 ? 0 : status.get(JAVA_INT, 0)};
    }
  }

  /** Creates a named pipe at {@code path}. */
  public static void mkfifo(String path, int mode) throws NativeException {
    try (Arena arena = Arena.ofConfined()) {
      check("mkfifo " + path,
          sys(Nr.MKNODAT, AT_FDCWD, cstring(arena, path).address(), S_IFIFO | mode, 0, 0, 0));
    }
  }

  /** Creates a close-on-exec eventfd. */
  public static int eventfd() throws NativeException {
    return (int) check("eventfd", sys(Nr.EVENTFD2, 0, O_CLOEXEC, 0));
  }

  /** Creates a close-on-exec unix socket of {@code type}, bound to {@code path}, listening. */
  public static int listenUnix(String path, int type) throws NativeException {
    int fd = (int) check("socket", sys(Nr.SOCKET, AF_UNIX, type | SOCK_CLOEXEC, 0));
    try (Arena arena = Arena.ofConfined()) {
      byte[] name = path.getBytes(StandardCharsets.UTF_8);
      if (name.length >= SUN_PATH_MAX) {
        throw new NativeException("bind " + path + " (path too long)", Errno.EINVAL);
      }
      MemorySegment addr = arena.allocate(2 + SUN_PATH_MAX);
      addr.set(JAVA_SHORT, 0, (short) AF_UNIX);
      MemorySegment.copy(name, 0, addr, JAVA_BYTE, 2, name.length);
      check("bind " + path, sys(Nr.BIND, fd, addr.address(), 2 + SUN_PATH_MAX));
      check("listen " + path, sys(Nr.LISTEN, fd, 128, 0));
      return fd;
    } catch (NativeException e) {
      closeQuietly(fd);
      throw e;
    }
  }

  /** Accepts a connection on a listening socket; the new socket is close-on-exec. */
  public static int accept(int fd) throws NativeException {
    return (int) check("accept", sysRetry(Nr.ACCEPT4, fd, 0, 0, SOCK_CLOEXEC));
  }

  /** Sends one packet without raising SIGPIPE. */
  public static void send(int fd, MemorySegment buf, long len) throws NativeException {
    while (true) {
      long r = sys(Nr.SENDTO, fd, buf.address(), len, MSG_NOSIGNAL, 0, 0);
      if (r != -Errno.EINTR) {
        check("send", r);
        return;
      }
    }
  }

  /** Shuts down one or both directions of a socket; errors are of no interest here. */
  public static void shutdown(int fd, int how) {
    sys(Nr.SHUTDOWN, fd, how, 0);
  }

  /**
   * Receives one file descriptor passed with SCM_RIGHTS on a connected unix socket; returns -1
   * when the peer sent none.
   */
  public static int receiveFd(int sock) throws NativeException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment data = arena.allocate(4096);
      MemorySegment iov = arena.allocate(16, 8);
      iov.set(ADDRESS, 0, data);
      iov.set(JAVA_LONG, 8, 4096L);
      long controlLen = 16 + 8;
      MemorySegment control = arena.allocate(controlLen, 8);
      // struct msghdr: name, namelen, iov, iovlen, control, controllen, flags.
      MemorySegment msg = arena.allocate(56, 8);
      msg.set(ADDRESS, 16, iov);
      msg.set(JAVA_LONG, 24, 1L);
      msg.set(ADDRESS, 32, control);
      msg.set(JAVA_LONG, 40, controlLen);
      check("recvmsg", sysRetry(Nr.RECVMSG, sock, msg.address(), O_CLOEXEC, 0));
      long gotControl = msg.get(JAVA_LONG, 40);
      if (gotControl < 16 + 4 || control.get(JAVA_INT, 8) != SOL_SOCKET
          || control.get(JAVA_INT, 12) != SCM_RIGHTS) {
        return -1;
      }
      return control.get(JAVA_INT, 16);
    }
  }

  /** Sets the window size of the terminal {@code fd}. */
  public static void setWindowSize(int fd, int rows, int cols) throws NativeException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment ws = arena.allocate(8);
      ws.set(JAVA_SHORT, 0, (short) rows);
      ws.set(JAVA_SHORT, 2, (short) cols);
      check("ioctl(TIOCSWINSZ)", sys(Nr.IOCTL, fd, TIOCSWINSZ, ws.address()));
    }
  }

  /** Turns on output newline translation (ONLCR) on terminal {@code fd}, as kubelet expects. */
  public static void enableOnlcr(int fd) throws NativeException {
    try (Arena arena = Arena.ofConfined()) {
      // The kernel's struct termios: c_iflag, c_oflag, c_cflag, c_lflag, c_line, c_cc[19].
      MemorySegment tio = arena.allocate(64, 4);
      check("ioctl(TCGETS)", sys(Nr.IOCTL, fd, TCGETS, tio.address()));
      tio.set(JAVA_INT, 4, tio.get(JAVA_INT, 4) | ONLCR);
      check("ioctl(TCSETS)", sys(Nr.IOCTL, fd, TCSETS, tio.address()));
    }
  }

  /**
   * Starts {@code argv[0]} with {@code env}; child descriptors 0, 1, 2 become {@code stdio},
   * every other descriptor of ours is close-on-exec, and signals are back at their defaults.
   */
  public static int spawn(String[] argv, String[] env, int[] stdio) throws NativeException {
    try (Arena arena = Arena.ofConfined()) {
      long actions = arena.allocate(SPAWN_STRUCT_SIZE, 8).address();
      long attr = arena.allocate(SPAWN_STRUCT_SIZE, 8).address();
      long sigs = arena.allocate(SIGSET_SIZE, 8).address();
      long noSigs = arena.allocate(SIGSET_SIZE, 8).address();
      // These return 0 or an error number (never -1).
      int r = callInt(Spawn.FA_INIT, actions) | callInt(Spawn.ATTR_INIT, attr);
      try {
        for (int i = 0; i < 3; i++) {
          r |= callInt(Spawn.FA_DUP2, actions, stdio[i], i, 0, 0, 0);
        }
        r |= callInt(Spawn.SIGFILLSET, sigs) | callInt(Spawn.SIGEMPTYSET, noSigs);
        r |= callInt(Spawn.ATTR_SIGDEF, attr, sigs) | callInt(Spawn.ATTR_SIGMASK, attr, noSigs);
        r |= callInt(Spawn.ATTR_FLAGS, attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
        if (r != 0) {
          throw new NativeException("posix_spawn set-up", Errno.EINVAL);
        }
        MemorySegment pid = arena.allocate(JAVA_INT);
        int err = callInt(Spawn.SPAWN, pid.address(), cstring(arena, argv[0]).address(),
            actions, attr, cstringArray(arena, argv).address(),
            cstringArray(arena, env).address());
        if (err != 0) {
          throw new NativeException("posix_spawn " + argv[0], err);
        }
        return pid.get(JAVA_INT, 0);
      } finally {
        callInt(Spawn.FA_DESTROY, actions);
        callInt(Spawn.ATTR_DESTROY, attr);
      }
    }
  }

  /** Opens the system log under {@code ident} (LOG_PID, facility LOG_DAEMON). */
  public static void openlog(String ident) {
    // openlog keeps the pointer, so the name lives as long as the process.
    call(Log.OPENLOG, cstring(Arena.global(), ident).address(), 0x01, 3 << 3);
  }

  /** Sends one line to the system log at {@code priority}. */
  public static void syslog(int priority, String line) {
    try (Arena arena = Arena.ofConfined()) {
      call(Log.SYSLOG, priority, cstring(arena, "%s").address(), cstring(arena, line).address(),
          0, 0, 0, 0);
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
