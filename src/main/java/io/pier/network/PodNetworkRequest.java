package io.pier.network;

import java.nio.file.Path;
import java.util.List;

/** What CNI needs to attach one pod: its ID, Kubernetes identity, namespace and ports. */
public record PodNetworkRequest(String podId, String namespace, String name, String uid,
    Path netns, List<PortMapping> portMappings) {

  /** The CNI_ARGS kubelet's runtimes pass, so plugins know the pod. */
  String cniArgs() {
    return "IgnoreUnknown=1;K8S_POD_NAMESPACE=" + namespace + ";K8S_POD_NAME=" + name
        + ";K8S_POD_INFRA_CONTAINER_ID=" + podId + ";K8S_POD_UID=" + uid;
  }
}
