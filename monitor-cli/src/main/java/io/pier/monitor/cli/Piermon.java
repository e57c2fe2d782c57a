package io.pier.monitor.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The piermon command: watches one container the way conmon does. */
@Command(name = "piermon", mixinStandardHelpOptions = true,
    versionProvider = Piermon.Version.class,
    description = "Monitors one container: holds its stdio, writes its log, reports its exit.")
public final class Piermon implements Runnable {

  /** Entry point. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new Piermon()).execute(args));
  }

  @Override
  public void run() {
    // Limitation: only --version and --help work; the monitor itself is not written yet.
    System.err.println("piermon: monitoring is not implemented yet");
    throw new CommandLine.ExecutionException(new CommandLine(this), "not implemented");
  }

  /** Reads the version the build stamped into the jar. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      Properties props = new Properties();
      try (InputStream in = Piermon.class.getResourceAsStream("version.properties")) {
        props.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new String[] {"piermon version " + props.getProperty("version")};
    }
  }
}
