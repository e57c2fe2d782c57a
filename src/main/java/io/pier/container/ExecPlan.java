package io.pier.container;

import java.nio.file.Path;

/**
 * A process ready to be run in a container.
 *
 * @param container the running container it joins
 * @param directory a private directory for its files, removed when it has ended
 * @param processSpec its OCI process spec (JSON) inside that directory
 */
public record ExecPlan(Container container, Path directory, Path processSpec) {}
