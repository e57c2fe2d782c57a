package io.pier.config;

import io.smallrye.config.source.yaml.YamlConfigSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSourceProvider;

/**
 * Supplies pierd's YAML configuration file, ranked above the built-in defaults and below
 * {@code PIER_*} environment variables, so the environment always overrides the file.
 */
public final class ConfigFileSource implements ConfigSourceProvider {

  /** System property the launcher's main method sets to the file it chose. */
  public static final String FILE_PROPERTY = "pierd.config-file";

  /** Between application.properties (250) and environment variables (300). */
  static final int ORDINAL = 275;

  @Override
  public Iterable<ConfigSource> getConfigSources(ClassLoader loader) {
    String file = System.getProperty(FILE_PROPERTY);
    if (file == null || file.isBlank()) {
      return List.of();
    }
    try {
      return List.of(new YamlConfigSource(Path.of(file).toUri().toURL(), ORDINAL));
    } catch (IOException e) {
      throw new UncheckedIOException("reading configuration file " + file, e);
    }
  }
}
