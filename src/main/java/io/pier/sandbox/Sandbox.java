package io.pier.sandbox;

import java.util.List;

/**
 * One pod sandbox as pierd records it: what kubelet asked for, its state, where its
 * namespaces and files are, its network attachment (the CNI result and the network
 * configuration it was made with), and the PID of its infra
 * container (0 when the pod has none: it shares no PID namespace).
 */
public record Sandbox(
    String id,
    PodSpec spec,
    State state,
    long createdAtNanos,
    String netns,
    List<String> ips,
    String cniResult,
    String cniConfig,
    String shmPath,
    String resolvConfPath,
    String hostnamePath,
    String hostsPath,
    int infraPid) {

  /** A sandbox's two states in the CRI. */
  public enum State { READY, NOTREADY }

  /** This sandbox in another state. */
  public Sandbox withState(State newState) {
    return new Sandbox(id, spec, newState, createdAtNanos, netns, ips, cniResult, cniConfig,
        shmPath, resolvConfPath, hostnamePath, hostsPath, infraPid);
  }

  /** This sandbox with its infra container's PID. */
  public Sandbox withInfraPid(int pid) {
    return new Sandbox(id, spec, state, createdAtNanos, netns, ips, cniResult, cniConfig,
        shmPath, resolvConfPath, hostnamePath, hostsPath, pid);
  }

  /** Whether the pod's containers share the PID namespace of an infra container. */
  public boolean hasInfraContainer() {
    return infraPid > 0;
  }

  /** The name kubelet reserves per attempt: {@code name_namespace_uid_attempt}. */
  public String reservedName() {
    return reservedName(spec);
  }

  /** The reserved name of a pod spec. */
  public static String reservedName(PodSpec spec) {
    return spec.name() + "_" + spec.namespace() + "_" + spec.uid() + "_" + spec.attempt();
  }
}
