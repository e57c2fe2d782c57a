package io.pier;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** What the build stamped into pierd: its version. */
public final class BuildInfo {

  private static final String VERSION = load();

  private BuildInfo() {}

  /** The version of this pierd build, e.g. {@code 0.1.0-SNAPSHOT}. */
  public static String version() {
    return VERSION;
  }

  private static String load() {
    Properties props = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
      if (in == null) {
        throw new IllegalStateException("build.properties missing from the pierd jar");
      }
      props.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return props.getProperty("version");
  }
}
