package io.pier.image;

import io.pier.system.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * The few Linux system calls image storage needs and the JDK lacks: device nodes, xattrs in
 * the {@code trusted.} and {@code security.} namespaces, and overlay mounts.
 */
final class Native {

  private static final MethodHandle MKNOD = Libc.function("mknod",
      FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
          ValueLayout.JAVA_LONG));
  private static final MethodHandle LSETXATTR = Libc.function("lsetxattr",
      FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
          ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
  private static final MethodHandle LGETXATTR = Libc.function("lgetxattr",
      FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
          ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
  private static final MethodHandle MOUNT = Libc.function("mount",
      FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
          ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
  private static final MethodHandle UMOUNT2 = Libc.function("umount2",
      FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
  private static final MethodHandle LCHOWN = Libc.function("lchown",
      FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
          ValueLayout.JAVA_INT));
  private static final MethodHandle CHMOD = Libc.function("chmod",
      FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
  private static final MethodHandle UTIMENSAT = Libc.function("utimensat",
      FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
          ValueLayout.ADDRESS, ValueLayout.JAVA_INT));

  /** {@code S_IFCHR}: character device. */
  static final int S_IFCHR = 0020000;
  /** {@code S_IFBLK}: block device. */
  static final int S_IFBLK = 0060000;
  /** {@code S_IFIFO}: named pipe. */
  static final int S_IFIFO = 0010000;
  /** {@code ENODATA}: the xattr is not set. */
  private static final int ENODATA = 61;
  /** {@code AT_FDCWD}: paths relative to the working directory. */
  private static final int AT_FDCWD = -100;
  /** {@code AT_SYMLINK_NOFOLLOW}: act on a symlink itself. */
  private static final int AT_SYMLINK_NOFOLLOW = 0x100;
  /** {@code MNT_DETACH}: lazy unmount. */
  private static final int MNT_DETACH = 2;

  private Native() {}

  /** Creates a device node or fifo ({@code type} is one of the {@code S_IF*} constants). */
  static void mknod(Path path, int type, int mode, int major, int minor) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(Libc.CALL_STATE);
      long dev = ((long) (major & 0xfffff000) << 32) | ((major & 0xfffL) << 8)
          | ((long) (minor & 0xffffff00) << 12) | (minor & 0xffL);
      int rc = (int) MKNOD.invokeExact(state, arena.allocateFrom(path.toString()),
          type | (mode & 07777), dev);
      Libc.check(rc, state, "mknod " + path);
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Sets owner, mode (unless a symlink) and modification time of a path without opening it:
   * opening a fifo would block, and opening a device node could have side effects.
   */
  static void setAttributes(Path path, int uid, int gid, int mode, long mtimeSeconds,
      long mtimeNanos, boolean symlink) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(Libc.CALL_STATE);
      MemorySegment name = arena.allocateFrom(path.toString());
      int rc = (int) LCHOWN.invokeExact(state, name, uid, gid);
      Libc.check(rc, state, "chown " + path);
      if (!symlink) {
        // After chown, which clears setuid and setgid bits.
        rc = (int) CHMOD.invokeExact(state, name, mode & 07777);
        Libc.check(rc, state, "chmod " + path);
      }
      MemorySegment times = arena.allocate(ValueLayout.JAVA_LONG, 4);
      times.setAtIndex(ValueLayout.JAVA_LONG, 0, mtimeSeconds);
      times.setAtIndex(ValueLayout.JAVA_LONG, 1, mtimeNanos);
      times.setAtIndex(ValueLayout.JAVA_LONG, 2, mtimeSeconds);
      times.setAtIndex(ValueLayout.JAVA_LONG, 3, mtimeNanos);
      rc = (int) UTIMENSAT.invokeExact(state, AT_FDCWD, name, times, AT_SYMLINK_NOFOLLOW);
      Libc.check(rc, state, "setting times of " + path);
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** Sets the modification time of a path without following a final symlink. */
  static void setMtime(Path path, long seconds, long nanos) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(Libc.CALL_STATE);
      MemorySegment times = arena.allocate(ValueLayout.JAVA_LONG, 4);
      times.setAtIndex(ValueLayout.JAVA_LONG, 0, seconds);
      times.setAtIndex(ValueLayout.JAVA_LONG, 1, nanos);
      times.setAtIndex(ValueLayout.JAVA_LONG, 2, seconds);
      times.setAtIndex(ValueLayout.JAVA_LONG, 3, nanos);
      int rc = (int) UTIMENSAT.invokeExact(state, AT_FDCWD,
          arena.allocateFrom(path.toString()), times, AT_SYMLINK_NOFOLLOW);
      Libc.check(rc, state, "setting times of " + path);
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** Sets an extended attribute on a path without following a final symlink. */
  static void lsetxattr(Path path, String name, byte[] value) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(Libc.CALL_STATE);
      MemorySegment bytes = arena.allocate(Math.max(1, value.length));
      MemorySegment.copy(value, 0, bytes, ValueLayout.JAVA_BYTE, 0, value.length);
      int rc = (int) LSETXATTR.invokeExact(state, arena.allocateFrom(path.toString()),
          arena.allocateFrom(name), bytes, (long) value.length, 0);
      Libc.check(rc, state, "setting xattr " + name + " on " + path);
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads an extended attribute, or returns null when it is not set. */
  static byte[] lgetxattr(Path path, String name) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(Libc.CALL_STATE);
      MemorySegment buffer = arena.allocate(65536);
      long n = (long) LGETXATTR.invokeExact(state, arena.allocateFrom(path.toString()),
          arena.allocateFrom(name), buffer, 65536L);
      if (n < 0) {
        if (Libc.errno(state) == ENODATA) {
          return null;
        }
        Libc.check(-1, state, "reading xattr " + name + " of " + path);
      }
      return buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** Mounts an overlay filesystem at {@code target} with the given mount options. */
  static void mountOverlay(Path target, String options) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(Libc.CALL_STATE);
      int rc = (int) MOUNT.invokeExact(state, arena.allocateFrom("overlay"),
          arena.allocateFrom(target.toString()), arena.allocateFrom("overlay"), 0L,
          arena.allocateFrom(options));
      Libc.check(rc, state, "mounting overlay on " + target);
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** Detaches the mount at {@code target}. */
  static void unmount(Path target) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(Libc.CALL_STATE);
      int rc = (int) UMOUNT2.invokeExact(state, arena.allocateFrom(target.toString()),
          MNT_DETACH);
      Libc.check(rc, state, "unmounting " + target);
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }
}
