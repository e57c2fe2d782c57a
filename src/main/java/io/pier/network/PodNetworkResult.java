package io.pier.network;

import java.util.List;

/**
 * The outcome of attaching a pod: its IP addresses (without prefix length), and the raw CNI
 * result, kept so DEL and CHECK can hand it back to the plugins as {@code prevResult}.
 */
public record PodNetworkResult(List<String> ips, String cniResult) {

  /** The pod's primary IP, or the empty string for a pod without addresses. */
  public String primaryIp() {
    return ips.isEmpty() ? "" : ips.get(0);
  }
}
