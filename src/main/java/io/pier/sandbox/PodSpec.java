package io.pier.sandbox;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.pier.network.PortMapping;
import java.util.List;
import java.util.Map;

/** What kubelet asks of a new pod sandbox, in Pier's terms. */
public record PodSpec(
    String name,
    String uid,
    String namespace,
    int attempt,
    String hostname,
    String logDirectory,
    DnsConfig dns,
    List<PortMapping> portMappings,
    Map<String, String> labels,
    Map<String, String> annotations,
    String cgroupParent,
    boolean hostNetwork,
    boolean hostPid,
    boolean hostIpc,
    boolean sharedPid,
    Map<String, String> sysctls,
    String runtimeHandler) {

  /** The pod's DNS settings; all empty means "use the node's resolv.conf". */
  public record DnsConfig(List<String> servers, List<String> searches, List<String> options) {

    /** Whether kubelet gave no DNS settings at all. */
    @JsonIgnore
    public boolean isEmpty() {
      return servers.isEmpty() && searches.isEmpty() && options.isEmpty();
    }
  }
}
