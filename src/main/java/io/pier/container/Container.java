package io.pier.container;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.google.protobuf.InvalidProtocolBufferException;
import io.pier.cri.v1.ContainerConfig;
import io.pier.cri.v1.LinuxContainerResources;
import java.nio.file.Path;

/**
 * One container as pierd records it: kubelet's config as sent, where its files are, and its
 * lifecycle so far. Written to disk on every change, so a restarted pierd knows it again.
 *
 * @param id the 64-hex-digit container ID
 * @param sandboxId the pod sandbox it belongs to
 * @param config kubelet's {@code ContainerConfig}, serialized (protobuf bytes, base64 in JSON)
 * @param imageId the ID of the image its root filesystem was made from
 * @param imageRef the name kubelet should see as the image it runs (a repo digest if known)
 * @param logPath the CRI log file; empty when kubelet gave no log directory or path
 * @param bundle the OCI bundle directory, also the monitor's persist directory
 * @param cgroupsPath runc's cgroupsPath for it
 * @param stopSignal the image's stop signal, SIGTERM when it has none
 * @param state where it is in its lifecycle
 * @param pid its init process while it runs, 0 otherwise
 * @param monitorPid its monitor's PID
 */
public record Container(
    String id,
    String sandboxId,
    byte[] config,
    String imageId,
    String imageRef,
    String logPath,
    Path bundle,
    String cgroupsPath,
    String stopSignal,
    State state,
    long createdAtNanos,
    long startedAtNanos,
    long finishedAtNanos,
    int exitCode,
    String reason,
    String message,
    int pid,
    int monitorPid) {

  /** The CRI's container states. */
  public enum State { CREATED, RUNNING, EXITED, UNKNOWN }

  /** The config kubelet sent. */
  @JsonIgnore
  public ContainerConfig containerConfig() {
    try {
      return ContainerConfig.parseFrom(config);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("container " + id + ": unreadable stored config", e);
    }
  }

  /** The container's name in its pod ({@code metadata.name}). */
  @JsonIgnore
  public String name() {
    return containerConfig().getMetadata().getName();
  }

  /** This container started, with its start time. */
  public Container started(long atNanos) {
    return new Container(id, sandboxId, config, imageId, imageRef, logPath, bundle, cgroupsPath,
        stopSignal, State.RUNNING, createdAtNanos, atNanos, finishedAtNanos, exitCode, reason,
        message, pid, monitorPid);
  }

  /** This container with its start time set, its state unchanged. */
  public Container withStartedAt(long atNanos) {
    return new Container(id, sandboxId, config, imageId, imageRef, logPath, bundle, cgroupsPath,
        stopSignal, state, createdAtNanos, atNanos, finishedAtNanos, exitCode, reason, message,
        pid, monitorPid);
  }

  /** This container with new resource limits recorded in its config. */
  public Container withResources(LinuxContainerResources resources) {
    ContainerConfig current = containerConfig();
    byte[] updated = current.toBuilder()
        .setLinux(current.getLinux().toBuilder().setResources(resources))
        .build().toByteArray();
    return new Container(id, sandboxId, updated, imageId, imageRef, logPath, bundle,
        cgroupsPath, stopSignal, state, createdAtNanos, startedAtNanos, finishedAtNanos,
        exitCode, reason, message, pid, monitorPid);
  }

  /** This container exited with {@code code}, for {@code why} (Completed, Error, OOMKilled). */
  public Container exited(long atNanos, int code, String why, String text) {
    return new Container(id, sandboxId, config, imageId, imageRef, logPath, bundle, cgroupsPath,
        stopSignal, State.EXITED, createdAtNanos, startedAtNanos, atNanos, code, why, text, 0,
        monitorPid);
  }
}
