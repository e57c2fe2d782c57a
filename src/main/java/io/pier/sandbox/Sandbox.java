package io.pier.sandbox;

import java.util.List;

/**
 * One pod sandbox as pierd records it: what kubelet asked for, its state, where its
 * namespaces and files are, and what its network attachment returned.
 */
public record Sandbox(
    String id,
    PodSpec spec,
    State state,
    long createdAtNanos,
    String netns,
    List<String> ips,
    String cniResult,
    String shmPath,
    String resolvConfPath,
    String hostnamePath,
    String hostsPath) {

  /** A sandbox's two states in the CRI. */
  public enum State { READY, NOTREADY }

  /** This sandbox in another state. */
  public Sandbox withState(State newState) {
    return new Sandbox(id, spec, newState, createdAtNanos, netns, ips, cniResult, shmPath,
        resolvConfPath, hostnamePath, hostsPath);
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
