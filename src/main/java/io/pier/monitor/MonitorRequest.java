package io.pier.monitor;

import java.nio.file.Path;

/**
 * What a monitor needs to create one container: its ID and name, its OCI bundle, where its
 * CRI log and the monitor's own files go, and how its stdio is wired.
 */
public record MonitorRequest(String containerId, String name, Path bundle, Path logPath,
    Path persistDir, boolean terminal, boolean stdin, boolean stdinOnce, long logSizeMax) {}
