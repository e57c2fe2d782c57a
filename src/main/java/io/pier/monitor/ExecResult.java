package io.pier.monitor;

/** How a process run in a container ended: its exit code and what it wrote. */
public record ExecResult(int exitCode, byte[] stdout, byte[] stderr, boolean timedOut) {}
