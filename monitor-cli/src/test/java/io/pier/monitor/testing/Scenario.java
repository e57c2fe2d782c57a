package io.pier.monitor.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs a container under a monitor from create to exit and collects what the caller sees. */
public final class Scenario {
  private static final Pattern PID = Pattern.compile("\\{\"data\": (\\d+)\\}");

  private Scenario() {}

  /** What a finished container left behind. */
  public record Outcome(String syncMessage, String exitFile, String persistExit,
      List<CriLog.Entry> log, boolean oomInPersist, boolean oomInBundle) {}

  /** Creates, starts and waits for a container running {@code spec} under {@code monitor}. */
  public static Outcome run(Path monitor, Path dir, TestBundle.Spec spec, List<String> extra)
      throws Exception {
    Path bundle = TestBundle.create(dir.resolve("bundle"), spec);
    try (MonitorRun run = MonitorRun.create(monitor, dir.resolve("work"), MonitorRun.newId(),
        bundle, extra)) {
      if (run.parentExitCode() != 0) {
        throw new AssertionError("monitor's parent failed: " + run.parentOutput());
      }
      String sync = run.nextSync(30_000).orElseThrow(() -> new AssertionError("no sync message"));
      Matcher m = PID.matcher(sync);
      if (!m.matches()) {
        throw new AssertionError("unexpected sync message " + sync);
      }
      run.startContainer();
      String exit = run.awaitExitFile(run.exitFile());
      Path persist = run.work.resolve("persist");
      String persistExit = Files.readString(persist.resolve("exit"));
      if (!run.awaitMonitorGone(10_000)) {
        throw new AssertionError("monitor still running after the exit file appeared");
      }
      Optional<String> more = run.nextSync(1000);
      if (more.isPresent()) {
        throw new AssertionError("unexpected extra sync message " + more.get());
      }
      return new Outcome(sync, exit, persistExit, CriLog.parse(run.log()),
          Files.exists(persist.resolve("oom")), Files.exists(bundle.resolve("oom")));
    }
  }

  /** The pid in a {"data": N} message. */
  public static int pid(String message) {
    Matcher m = PID.matcher(message);
    if (!m.matches()) {
      throw new AssertionError("not a pid message: " + message);
    }
    return Integer.parseInt(m.group(1));
  }
}
