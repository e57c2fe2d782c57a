package io.pier.sandbox;

import java.nio.file.Path;

/** The pinned namespaces of one pod: bind mounts that keep them alive without a process. */
public record PodNamespaces(Path net, Path ipc, Path uts) {

  /** The namespaces of a pod pinned under {@code dir}. */
  public static PodNamespaces under(Path dir) {
    return new PodNamespaces(dir.resolve("net"), dir.resolve("ipc"), dir.resolve("uts"));
  }
}
