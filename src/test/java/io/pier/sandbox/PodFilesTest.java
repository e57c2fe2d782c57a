package io.pier.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The files and names a pod's containers share. */
class PodFilesTest {

  private static PodSpec pod(String name, String hostname) {
    return new PodSpec(name, "uid-1", "default", 0, hostname, "",
        new PodSpec.DnsConfig(List.of(), List.of(), List.of()), List.of(), Map.of(), Map.of(),
        "", false, false, false, false, Map.of(), "");
  }

  @Test
  void aPodWithoutAHostnameGetsTheNodesNotItsLongName() {
    String longName = "PodSandbox-for-create-container-" + "0123456789abcdef".repeat(3);
    assertEquals("node-1", PodFiles.hostname(pod(longName, ""), () -> "node-1"));
  }

  @Test
  void aHostnameKubeletGaveIsKept() {
    assertEquals("test-hostname",
        PodFiles.hostname(pod("web", "test-hostname"), () -> "node-1"));
  }

  @Test
  void theNodesHostnameIsTheKernels() {
    assertEquals(false, PodFiles.nodeHostname().isEmpty());
  }
}
