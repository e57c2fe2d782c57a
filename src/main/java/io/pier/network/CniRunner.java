package io.pier.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pier.network.CniNetworkConfig.Network;
import io.pier.system.HostCommand;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Runs the CNI plugins of the pod network (ADD, CHECK, DEL), following the CNI spec's rules
 * for plugin lists: each plugin gets the list's name and version, its own section, the runtime
 * config it declares capabilities for, and the previous plugin's result.
 */
@ApplicationScoped
public class CniRunner {

  private static final Logger LOG = Logger.getLogger(CniRunner.class);

  /** The interface name pods see, as in every Kubernetes runtime. */
  static final String POD_INTERFACE = "eth0";

  private final CniNetworkConfig config;
  private final ObjectMapper json;

  CniRunner(CniNetworkConfig config, ObjectMapper json) {
    this.config = config;
    this.json = json;
  }

  /** Brings up loopback and attaches the pod to the default network. */
  public PodNetworkResult add(PodNetworkRequest pod) {
    loopback("ADD", pod);
    Network network = defaultNetwork(pod);
    JsonNode list = read(network);
    JsonNode previous = null;
    try {
      for (JsonNode plugin : plugins(list)) {
        previous = invoke("ADD", network.name(), list, plugin, pod, previous, POD_INTERFACE);
      }
    } catch (RuntimeException e) {
      // Plugins that succeeded hold addresses and rules for the pod: DEL them all.
      try {
        detach(pod, list, network.name(), previous);
      } catch (RuntimeException undo) {
        e.addSuppressed(undo);
        LOG.warnf("pod %s: undoing a failed CNI ADD: %s", pod.podId(), undo.getMessage());
      }
      throw e;
    }
    PodNetworkResult result = new PodNetworkResult(addresses(previous), previous.toString(),
        list.toString());
    LOG.infof("pod %s attached to network %s with IPs %s", pod.podId(), network.name(),
        result.ips());
    return result;
  }

  /** Verifies the pod's attachment is still in place, as the plugins see it. */
  public void check(PodNetworkRequest pod, PodNetworkResult attached) {
    JsonNode list = attachedNetwork(pod, attached.networkConfig());
    JsonNode previous = parse(attached.cniResult(), pod);
    for (JsonNode plugin : plugins(list)) {
      invoke("CHECK", list.path("name").asText(), list, plugin, pod, previous, POD_INTERFACE);
    }
  }

  /**
   * Detaches the pod: plugins in reverse order, each given the cached ADD result. Safe to
   * repeat. Call it before the pod's netns is unpinned: the bridge plugin learns which
   * masquerade rules to remove from the addresses it finds inside the netns.
   */
  public void del(PodNetworkRequest pod, String cachedResult, String networkConfig) {
    JsonNode list = attachedNetwork(pod, networkConfig);
    JsonNode previous = cachedResult == null || cachedResult.isBlank()
        ? null : parse(cachedResult, pod);
    detach(pod, list, list.path("name").asText(), previous);
    LOG.infof("pod %s detached from network %s", pod.podId(), list.path("name").asText());
  }

  private void detach(PodNetworkRequest pod, JsonNode list, String name, JsonNode previous) {
    List<JsonNode> reversed = new ArrayList<>(plugins(list));
    Collections.reverse(reversed);
    for (JsonNode plugin : reversed) {
      invoke("DEL", name, list, plugin, pod, previous, POD_INTERFACE);
    }
  }

  /**
   * The network list the pod was attached with; the node's default network for pods
   * recorded before pierd kept it.
   */
  private JsonNode attachedNetwork(PodNetworkRequest pod, String networkConfig) {
    if (networkConfig != null && !networkConfig.isBlank()) {
      return parse(networkConfig, pod);
    }
    return read(defaultNetwork(pod));
  }

  private void loopback(String command, PodNetworkRequest pod) {
    ObjectNode conf = json.createObjectNode()
        .put("cniVersion", "1.0.0")
        .put("name", "cni-loopback")
        .put("type", "loopback");
    run(command, "loopback", conf, pod, "lo");
  }

  private JsonNode invoke(String command, String networkName, JsonNode list, JsonNode plugin,
      PodNetworkRequest pod, JsonNode previous, String ifName) {
    ObjectNode conf = plugin.deepCopy();
    conf.put("name", networkName);
    conf.put("cniVersion", list.path("cniVersion").asText("1.0.0"));
    if (previous != null) {
      conf.set("prevResult", previous);
    }
    if (plugin.path("capabilities").path("portMappings").asBoolean(false)) {
      ArrayNode ports = conf.putObject("runtimeConfig").putArray("portMappings");
      for (PortMapping port : pod.portMappings()) {
        ObjectNode entry = ports.addObject()
            .put("hostPort", port.hostPort())
            .put("containerPort", port.containerPort())
            .put("protocol", port.protocol());
        if (!port.hostIp().isEmpty()) {
          entry.put("hostIP", port.hostIp());
        }
      }
    }
    JsonNode result = run(command, plugin.path("type").asText(), conf, pod, ifName);
    // CHECK and DEL print nothing; the chain carries the last ADD result forward.
    return command.equals("ADD") && result != null ? result : previous;
  }

  private JsonNode run(String command, String type, ObjectNode conf, PodNetworkRequest pod,
      String ifName) {
    Path binary = config.plugin(type).orElseThrow(() -> new CniException(
        "CNI plugin '" + type + "' not found in " + config.pluginDirs()));
    HostCommand.Result result = HostCommand.of(binary.toString())
        .env("CNI_COMMAND", command)
        .env("CNI_CONTAINERID", pod.podId())
        .env("CNI_NETNS", pod.netns().toString())
        .env("CNI_IFNAME", ifName)
        .env("CNI_ARGS", pod.cniArgs())
        .env("CNI_PATH", config.pluginDirs().stream().map(Path::toString)
            .collect(Collectors.joining(":")))
        .stdin(conf.toString())
        .run();
    if (!result.succeeded()) {
      throw new CniException("CNI " + command + " of plugin " + type + " for pod "
          + pod.podId() + " failed: " + pluginError(result));
    }
    return result.stdout().isBlank() ? null : parse(result.stdout(), pod);
  }

  /** The plugin's error: the CNI error object's msg and details when it printed one. */
  private String pluginError(HostCommand.Result result) {
    try {
      JsonNode error = json.readTree(result.stdout());
      if (error != null && error.has("msg")) {
        String details = error.path("details").asText("");
        return error.get("msg").asText() + (details.isEmpty() ? "" : " (" + details + ")");
      }
    } catch (IOException e) {
      // Not JSON: fall back to what the plugin printed.
    }
    return result.explanation();
  }

  private Network defaultNetwork(PodNetworkRequest pod) {
    return config.defaultNetwork().orElseThrow(() -> new CniException(
        "no CNI network configured in " + config.configDir() + " for pod " + pod.podId()));
  }

  private JsonNode read(Network network) {
    try {
      return json.readTree(network.file().toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("reading CNI config " + network.file(), e);
    }
  }

  private static List<JsonNode> plugins(JsonNode list) {
    List<JsonNode> plugins = new ArrayList<>();
    if (list.has("plugins")) {
      list.get("plugins").forEach(plugins::add);
    } else {
      plugins.add(list);
    }
    return plugins;
  }

  private JsonNode parse(String text, PodNetworkRequest pod) {
    try {
      return json.readTree(text);
    } catch (IOException e) {
      throw new CniException("unreadable CNI result for pod " + pod.podId() + ": "
          + e.getMessage());
    }
  }

  private static List<String> addresses(JsonNode result) {
    List<String> ips = new ArrayList<>();
    if (result != null) {
      for (JsonNode ip : result.path("ips")) {
        String address = ip.path("address").asText();
        ips.add(address.contains("/") ? address.substring(0, address.indexOf('/')) : address);
      }
    }
    return ips;
  }
}
