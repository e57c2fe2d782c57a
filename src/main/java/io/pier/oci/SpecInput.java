package io.pier.oci;

import com.fasterxml.jackson.databind.JsonNode;
import io.pier.cri.v1.ContainerConfig;
import io.pier.cri.v1.PodSandboxConfig;
import io.pier.sandbox.Sandbox;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Everything the spec generator needs for one container.
 *
 * @param containerId the container's ID
 * @param config the container's configuration as kubelet sent it
 * @param sandboxConfig the pod's configuration as kubelet sent it; the default instance if
 *     unknown (the pod's recorded spec is used then)
 * @param sandbox the pod record: namespace paths, /dev/shm, resolv.conf, hostname, hosts
 * @param imageConfig the OCI image config's {@code config} object (Env, Entrypoint, Cmd,
 *     WorkingDir, User); may be an empty object
 * @param rootfs the container's mounted root file system on the host
 * @param cgroupsPath runc's {@code cgroupsPath} for the container
 * @param podPidNamespace the pod's PID namespace ({@code /proc/<infra pid>/ns/pid}) when the
 *     pod shares one
 * @param terminationMessageHostFile a host file bound at {@code /dev/termination-log} unless a
 *     CRI mount already covers that path (kubelet adds its own mount; crictl does not)
 * @param targetPidNamespace the PID namespace of the target container
 *     ({@code /proc/<pid>/ns/pid}) for namespace mode TARGET
 */
public record SpecInput(
    String containerId,
    ContainerConfig config,
    PodSandboxConfig sandboxConfig,
    Sandbox sandbox,
    JsonNode imageConfig,
    Path rootfs,
    String cgroupsPath,
    Optional<Path> podPidNamespace,
    Optional<Path> terminationMessageHostFile,
    Optional<Path> targetPidNamespace) {

  /** The input for a container that does not join another container's PID namespace. */
  public SpecInput(String containerId, ContainerConfig config, PodSandboxConfig sandboxConfig,
      Sandbox sandbox, JsonNode imageConfig, Path rootfs, String cgroupsPath,
      Optional<Path> podPidNamespace, Optional<Path> terminationMessageHostFile) {
    this(containerId, config, sandboxConfig, sandbox, imageConfig, rootfs, cgroupsPath,
        podPidNamespace, terminationMessageHostFile, Optional.empty());
  }

  /** The container's name from its metadata, for messages. */
  public String name() {
    String name = config.getMetadata().getName();
    return name.isEmpty() ? containerId : name;
  }
}
