package io.pier.monitor;

/** A container the monitor created: the container's init PID and the monitor's own PID. */
public record MonitorStart(int containerPid, int monitorPid) {}
