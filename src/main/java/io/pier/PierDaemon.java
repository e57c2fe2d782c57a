package io.pier;

import io.pier.config.ConfigFileSource;
import io.pier.config.SettingNames;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.nio.file.Files;
import java.nio.file.Path;

/** The pierd command: reads its options, then serves the CRI until it is stopped. */
@QuarkusMain
public final class PierDaemon implements QuarkusApplication {

  /** The configuration file read when no {@code --config} is given, if it exists. */
  static final Path DEFAULT_CONFIG = Path.of("/etc/pier/config.yaml");

  private static final String USAGE = "usage: pierd [--config FILE] [--version]";

  /** Entry point of the pierd launcher. */
  public static void main(String[] args) {
    Path config = DEFAULT_CONFIG;
    boolean configGiven = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--config") && i + 1 < args.length) {
        config = Path.of(args[++i]);
        configGiven = true;
      } else if (arg.startsWith("--config=")) {
        config = Path.of(arg.substring("--config=".length()));
        configGiven = true;
      } else if (arg.equals("--version")) {
        System.out.println("pierd version " + BuildInfo.version());
        return;
      } else if (arg.equals("--help") || arg.equals("-h")) {
        System.out.println(USAGE);
        return;
      } else {
        fail("unknown option '" + arg + "'; " + USAGE, 2);
      }
    }
    if (configGiven && !(Files.isRegularFile(config) && Files.isReadable(config))) {
      fail("cannot read configuration file " + config + "; check the --config path", 2);
    }
    try {
      SettingNames.checkEnvironment(System.getenv());
    } catch (PierStartupException e) {
      fail(e.getMessage(), 1);
    }
    if (Files.isReadable(config)) {
      System.setProperty(ConfigFileSource.FILE_PROPERTY, config.toAbsolutePath().toString());
    }
    Quarkus.run(PierDaemon.class, PierDaemon::exit, new String[0]);
  }

  @Override
  public int run(String... args) {
    Quarkus.waitForExit();
    return 0;
  }

  private static void exit(int code, Throwable failure) {
    if (failure != null) {
      fail(StartupFailure.describe(failure), 1);
    }
    System.exit(code);
  }

  private static void fail(String message, int code) {
    System.err.println("pierd: " + message);
    System.exit(code);
  }
}
