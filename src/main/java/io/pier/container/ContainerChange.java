package io.pier.container;

/** A step in a container's life, fired as a CDI event for the CRI event stream. */
public record ContainerChange(Container container, Kind kind) {

  /** The steps kubelet's event stream knows. */
  public enum Kind { CREATED, STARTED, STOPPED, DELETED }
}
