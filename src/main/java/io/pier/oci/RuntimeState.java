package io.pier.oci;

/** What the OCI runtime reports of a container: its status and its init process' PID. */
public record RuntimeState(String id, Status status, int pid) {

  /** The OCI runtime states, as {@code runc state} names them. */
  public enum Status { CREATING, CREATED, RUNNING, PAUSED, STOPPED }
}
