package io.pier.network;

import java.util.List;

/**
 * The outcome of attaching a pod: its IP addresses (without prefix length), the raw CNI
 * result, kept so DEL and CHECK can hand it back to the plugins as {@code prevResult}, and
 * the network configuration the pod was attached with, so DEL runs the same plugins even when
 * the node's configuration has changed since (as libcni's cache does).
 */
public record PodNetworkResult(List<String> ips, String cniResult, String networkConfig) {

  /** The pod's primary IP, or the empty string for a pod without addresses. */
  public String primaryIp() {
    return ips.isEmpty() ? "" : ips.get(0);
  }
}
