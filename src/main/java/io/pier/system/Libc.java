package io.pier.system;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * C library functions bound through Java's foreign-function API, with errno captured per call.
 * Java 25's FFM API binds them with no extra library; jnr would bring its own native stub.
 */
public final class Libc {

  /** Where each call leaves its errno; allocate one per call from the call's arena. */
  public static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();

  private static final Linker LINKER = Linker.nativeLinker();
  private static final SymbolLookup LIBC = LINKER.defaultLookup();
  private static final VarHandle ERRNO = CALL_STATE.varHandle(
      MemoryLayout.PathElement.groupElement("errno"));
  private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
  private static final MethodHandle STRERROR = LINKER.downcallHandle(
      LIBC.find("strerror").orElseThrow(), FunctionDescriptor.of(ValueLayout.ADDRESS,
          ValueLayout.JAVA_INT));

  private Libc() {}

  /** A C function whose handle takes a {@link #CALL_STATE} segment as its first argument. */
  public static MethodHandle function(String name, FunctionDescriptor descriptor,
      Linker.Option... options) {
    Linker.Option[] all = new Linker.Option[options.length + 1];
    all[0] = CAPTURE_ERRNO;
    System.arraycopy(options, 0, all, 1, options.length);
    return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), descriptor, all);
  }

  /** The errno the call that filled {@code state} left. */
  public static int errno(MemorySegment state) {
    return (int) ERRNO.get(state, 0L);
  }

  /** Fails with {@code what} and the call's errno when {@code rc} is negative. */
  public static void check(long rc, MemorySegment state, String what) throws IOException {
    if (rc < 0) {
      throw failure(state, what);
    }
  }

  /** The failure of the call that filled {@code state}: {@code what}, then errno's text. */
  public static IOException failure(MemorySegment state, String what) {
    return new IOException(what + ": " + strerror(errno(state)));
  }

  /** The C library's text for an errno value. */
  public static String strerror(int errno) {
    try {
      MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
      return text.reinterpret(256).getString(0);
    } catch (Throwable e) {
      return "errno " + errno;
    }
  }
}
