package io.pier.stream;

import io.pier.container.ExecPlan;
import io.pier.oci.RuntimeClient;
import io.pier.state.Trees;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * One streaming exec: {@code runc exec} in the foreground, its stdio piped to the client, or
 * with a terminal, on a pseudo-terminal pierd holds the master of. runc then makes the
 * container's own terminal and copies between it and ours, and follows our terminal's size
 * (SIGWINCH), which is how resize reaches the process.
 */
final class ExecStream {

  private static final Logger LOG = Logger.getLogger(ExecStream.class);
  private static final int BUFFER = 32 * 1024;
  private static final File NULL = new File("/dev/null");

  private final CommandSession session;
  private final ExecPlan plan;
  private final RuntimeClient runtime;
  private final Path pidFile;
  /** Set once the process has ended: a client leaving later must not kill a reused PID. */
  private volatile boolean ended;

  ExecStream(CommandSession session, ExecPlan plan, RuntimeClient runtime) {
    this.session = session;
    this.plan = plan;
    this.runtime = runtime;
    this.pidFile = plan.directory().resolve("exec.pid");
  }

  /** Runs the process to its end; returns its exit code. */
  int run() throws IOException, InterruptedException {
    try {
      return session.tty() ? runWithTerminal() : runWithPipes();
    } finally {
      Trees.delete(plan.directory());
    }
  }

  private List<String> command() {
    return runtime.execCommand(plan.container().id(), plan.processSpec(), pidFile);
  }

  private int runWithPipes() throws IOException, InterruptedException {
    StreamRequest.Exec exec = (StreamRequest.Exec) session.request();
    ProcessBuilder builder = new ProcessBuilder(command());
    if (!exec.stdin()) {
      builder.redirectInput(NULL);
    }
    if (!exec.stdout()) {
      builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    }
    if (!exec.stderr()) {
      builder.redirectError(ProcessBuilder.Redirect.DISCARD);
    }
    Process process = builder.start();
    session.whenGone(() -> kill(process));
    List<Thread> copies = new ArrayList<>();
    if (exec.stdin()) {
      Thread.ofVirtual().name("exec-stdin").start(() -> copyStdin(process.getOutputStream()));
    }
    if (exec.stdout()) {
      copies.add(Thread.ofVirtual().name("exec-stdout")
          .start(() -> copyOutput(process.getInputStream(), false)));
    }
    if (exec.stderr()) {
      copies.add(Thread.ofVirtual().name("exec-stderr")
          .start(() -> copyOutput(process.getErrorStream(), true)));
    }
    int code = process.waitFor();
    ended = true;
    for (Thread copy : copies) {
      copy.join();
    }
    return code;
  }

  // Limitation: a process that closes its stdin while the client still sends is reported
  // with exit code 141 (SIGPIPE) before it writes again; where the signal comes from is not
  // found yet.
  private void copyStdin(OutputStream stdin) {
    try (stdin) {
      byte[] chunk;
      while ((chunk = session.readStdin()) != null) {
        stdin.write(chunk);
        stdin.flush();
      }
    } catch (IOException e) {
      LOG.debugf("exec stdin: %s", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void copyOutput(InputStream output, boolean stderr) {
    byte[] buffer = new byte[BUFFER];
    try (output) {
      int n;
      while ((n = output.read(buffer)) >= 0) {
        if (stderr) {
          session.stderr(buffer, 0, n);
        } else {
          session.stdout(buffer, 0, n);
        }
      }
    } catch (IOException e) {
      // The client went away; the process is being killed.
    }
  }

  private int runWithTerminal() throws IOException, InterruptedException {
    int master = StreamNative.openPtyMaster();
    try {
      File terminal = new File(StreamNative.ptsName(master));
      // Limitation: runc sizes the container's terminal only after the process has started,
      // so a process that asks at once may see 0x0 for a moment.
      TerminalSize size = session.lastSize();
      StreamNative.setWindowSize(master, size == null ? 24 : size.height(),
          size == null ? 80 : size.width());
      List<String> argv = new ArrayList<>(List.of("setsid", "--ctty", "--wait"));
      argv.addAll(command());
      // runc takes our terminal as its controlling one and its stdio, puts it in raw mode
      // and forwards SIGWINCH from it to the container's terminal.
      Process process = new ProcessBuilder(argv)
          .redirectInput(terminal)
          .redirectOutput(terminal)
          .redirectError(terminal)
          .start();
      session.whenGone(() -> kill(process));
      session.onResize(s -> {
        try {
          StreamNative.setWindowSize(master, s.height(), s.width());
        } catch (IOException e) {
          LOG.debugf("exec resize: %s", e.getMessage());
        }
      });
      Thread.ofPlatform().daemon().name("exec-tty-in").start(() -> copyStdin(master));
      Thread output = Thread.ofPlatform().daemon().name("exec-tty-out")
          .start(() -> copyTerminal(master));
      int code = process.waitFor();
      ended = true;
      // The master reads EIO once runc, the last holder of the terminal, has gone.
      output.join(TimeUnit.SECONDS.toMillis(5));
      return code;
    } finally {
      StreamNative.close(master);
    }
  }

  private void copyStdin(int master) {
    try {
      byte[] chunk;
      while ((chunk = session.readStdin()) != null) {
        StreamNative.writeAll(master, chunk, 0, chunk.length);
      }
    } catch (IOException e) {
      LOG.debugf("exec terminal input: %s", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void copyTerminal(int master) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buffer = arena.allocate(BUFFER);
      byte[] bytes = new byte[BUFFER];
      int n;
      while ((n = StreamNative.read(master, buffer)) > 0) {
        MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, bytes, 0, n);
        session.stdout(bytes, 0, n);
      }
    } catch (IOException e) {
      // EIO: the terminal's other side is closed; or the client went away.
    }
  }

  /** Kills the exec'd process (runc passes the signal on otherwise) and runc itself. */
  private void kill(Process process) {
    if (ended) {
      return;
    }
    try {
      String pid = Files.readString(pidFile, StandardCharsets.UTF_8).trim();
      ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
    } catch (IOException | NumberFormatException e) {
      LOG.debugf("exec pid file %s: %s", pidFile, e.getMessage());
    }
    process.destroyForcibly();
  }
}
