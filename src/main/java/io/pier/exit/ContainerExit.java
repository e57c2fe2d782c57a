package io.pier.exit;

import java.time.Instant;

/** A container's exit as its monitor recorded it: exit code and when the file appeared. */
public record ContainerExit(String containerId, int exitCode, Instant exitedAt) {}
