package io.pier.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pier.config.PierConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Finds the pod network's CNI configuration and the plugin binaries it names. */
@ApplicationScoped
public class CniNetworkConfig {

  /** A loaded network configuration: its file, name and the plugin types it chains. */
  public record Network(Path file, String name, List<String> pluginTypes) {}

  private final Path configDir;
  private final List<Path> pluginDirs;
  private final ObjectMapper json;

  CniNetworkConfig(PierConfig config, ObjectMapper json) {
    this.configDir = config.cniConfigDir().toAbsolutePath();
    this.pluginDirs = config.cniPluginDirs().stream().map(Path::toAbsolutePath).toList();
    this.json = json;
  }

  /** The directory configurations are read from. */
  public Path configDir() {
    return configDir;
  }

  /** The directories plugins are looked up in. */
  public List<Path> pluginDirs() {
    return pluginDirs;
  }

  /**
   * The default network: the first valid configuration file by name, as kubelet's other
   * runtimes pick it.
   */
  public Optional<Network> defaultNetwork() {
    for (Path file : configFiles()) {
      Optional<Network> network = load(file);
      if (network.isPresent()) {
        return network;
      }
    }
    return Optional.empty();
  }

  /** The binary of a plugin type, from the first plugin directory that has it. */
  public Optional<Path> plugin(String type) {
    return pluginDirs.stream()
        .map(dir -> dir.resolve(type))
        .filter(Files::isExecutable)
        .findFirst();
  }

  /** Why pods cannot get a network, or empty when a config and all its plugins are there. */
  public Optional<String> problem() {
    Optional<Network> network = defaultNetwork();
    if (network.isEmpty()) {
      return Optional.of("no valid CNI configuration in " + configDir);
    }
    for (String type : network.get().pluginTypes()) {
      if (plugin(type).isEmpty()) {
        return Optional.of("CNI plugin '" + type + "' of network '" + network.get().name()
            + "' not found in " + pluginDirs);
      }
    }
    return Optional.empty();
  }

  private List<Path> configFiles() {
    if (!Files.isDirectory(configDir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(configDir)) {
      return files
          .filter(f -> f.toString().endsWith(".conflist") || f.toString().endsWith(".conf")
              || f.toString().endsWith(".json"))
          .sorted()
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private Optional<Network> load(Path file) {
    JsonNode root;
    try {
      root = json.readTree(file.toFile());
    } catch (IOException e) {
      return Optional.empty();
    }
    if (root == null || !root.hasNonNull("name")) {
      return Optional.empty();
    }
    List<String> types = new ArrayList<>();
    if (root.has("plugins")) {
      for (JsonNode plugin : root.get("plugins")) {
        if (plugin.hasNonNull("type")) {
          types.add(plugin.get("type").asText());
        }
      }
    } else if (root.hasNonNull("type")) {
      types.add(root.get("type").asText());
    }
    if (types.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Network(file, root.get("name").asText(), List.copyOf(types)));
  }
}
