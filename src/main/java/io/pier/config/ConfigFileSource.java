package io.pier.config;

import io.pier.PierStartupException;
import io.smallrye.config.source.yaml.YamlConfigSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSourceProvider;
import org.yaml.snakeyaml.Yaml;

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
    YamlConfigSource yaml;
    try {
      yaml = new YamlConfigSource(Path.of(file).toUri().toURL(), ORDINAL);
    } catch (IOException | RuntimeException e) {
      throw new PierStartupException("cannot read configuration file " + file + ": "
          + e.getMessage().replaceAll("\\s*\\n\\s*", " "), e);
    }
    // The file configures Pier only: Quarkus' own settings (listeners, management host)
    // are Pier's to choose, so a stray key cannot open a port beyond loopback.
    for (String key : yaml.getPropertyNames()) {
      if (!key.startsWith("pier.")) {
        throw new PierStartupException("invalid configuration: unknown setting " + key
            + " in " + file + " (settings live under pier:)");
      }
    }
    checkNoEmptyValues(Path.of(file));
    return List.of(yaml);
  }

  /**
   * Refuses a key left without a value: the YAML source drops it, so the default would be
   * used in silence.
   */
  private static void checkNoEmptyValues(Path file) {
    Object document;
    try (InputStream in = Files.newInputStream(file)) {
      document = new Yaml().load(in);
    } catch (IOException | RuntimeException e) {
      throw new PierStartupException("cannot read configuration file " + file + ": "
          + e.getMessage().replaceAll("\\s*\\n\\s*", " "), e);
    }
    if (document instanceof Map<?, ?> top && top.get("pier") instanceof Map<?, ?> settings) {
      for (Map.Entry<?, ?> setting : settings.entrySet()) {
        SettingNames.checkFileValue("pier." + setting.getKey(), setting.getValue(),
            file.toString());
      }
    }
  }
}
