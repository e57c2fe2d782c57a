package io.pier.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Short names, tags and digests normalise as kubelet users expect; mirrors map by prefix. */
class ImageReferenceTest {

  private static final String DIGEST = "sha256:" + "ab".repeat(32);

  @Test
  void shortNamesLiveOnDockerHubUnderLibrary() {
    assertEquals("docker.io/library/busybox:latest", ImageReference.parse("busybox").toString());
    assertEquals("docker.io/library/busybox:1.36",
        ImageReference.parse("docker.io/busybox:1.36").toString());
    assertEquals("docker.io/library/busybox:latest",
        ImageReference.parse("index.docker.io/library/busybox").toString());
    assertEquals("docker.io/rancher/pause:3.6",
        ImageReference.parse("rancher/pause:3.6").toString());
  }

  @Test
  void registriesWithPortsTagsAndDigestsParse() {
    ImageReference ref = ImageReference.parse("127.0.0.1:5000/a/b:v1@" + DIGEST);

    assertEquals("127.0.0.1:5000", ref.registry());
    assertEquals("a/b", ref.repository());
    assertEquals(DIGEST, ref.manifestReference());
    assertEquals("127.0.0.1:5000/a/b:v1", ref.tagged().orElseThrow());
    assertEquals("localhost/app:latest", ImageReference.parse("localhost/app").toString());
    assertEquals("registry.k8s.io/pause@" + DIGEST,
        ImageReference.parse("registry.k8s.io/pause@" + DIGEST).toString());
  }

  @Test
  void malformedReferencesAreRefusedByName() {
    for (String bad : List.of("", "Busybox", "a//b", "busybox@sha256:12", "busybox:-x")) {
      InvalidReferenceException e = assertThrows(InvalidReferenceException.class,
          () -> ImageReference.parse(bad));
      assertTrue(e.getMessage().contains("\"" + bad + "\""), e.getMessage());
    }
  }

  @Test
  void mirrorsOfTheLongestPrefixComeBeforeTheOrigin() {
    RegistryHosts hosts = new RegistryHosts(List.of(
        "registry.k8s.io=127.0.0.1:5000", "docker.io=127.0.0.1:5001",
        "docker.io/library=127.0.0.1:5002/lib", "docker.io/library=127.0.0.1:5003"),
        List.of("127.0.0.1:5000", "127.0.0.1:5002"));

    assertEquals(List.of(
        new RegistryEndpoint("127.0.0.1:5000", "pause", true, true),
        new RegistryEndpoint("registry.k8s.io", "pause", false, false)),
        hosts.endpoints(ImageReference.parse("registry.k8s.io/pause:3.10")));
    assertEquals(List.of(
        new RegistryEndpoint("127.0.0.1:5002", "lib/busybox", true, true),
        new RegistryEndpoint("127.0.0.1:5003", "busybox", false, true),
        new RegistryEndpoint("registry-1.docker.io", "library/busybox", false, false)),
        hosts.endpoints(ImageReference.parse("busybox")));
    assertEquals(List.of(
        new RegistryEndpoint("127.0.0.1:5001", "rancher/pause", false, true),
        new RegistryEndpoint("registry-1.docker.io", "rancher/pause", false, false)),
        hosts.endpoints(ImageReference.parse("rancher/pause:3.6")));
    assertEquals(List.of(new RegistryEndpoint("registry.k8s.io.evil", "pause", false, false)),
        hosts.endpoints(ImageReference.parse("registry.k8s.io.evil/pause")));
  }

  @Test
  void credentialsNeverPrintTheirSecrets() {
    RegistryCredentials c = RegistryCredentials.of("", "", java.util.Base64.getEncoder()
        .encodeToString("bob:hunter2".getBytes()), "idtok", "regtok");

    assertEquals("bob", c.username().orElseThrow());
    assertEquals("hunter2", c.password().orElseThrow());
    String shown = c.toString();
    assertFalse(shown.contains("hunter2") || shown.contains("idtok")
        || shown.contains("regtok"), shown);
  }
}
