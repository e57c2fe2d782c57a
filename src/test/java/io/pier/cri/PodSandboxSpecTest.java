package io.pier.cri;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pier.cri.v1.LinuxPodSandboxConfig;
import io.pier.cri.v1.LinuxSandboxSecurityContext;
import io.pier.cri.v1.NamespaceMode;
import io.pier.cri.v1.NamespaceOption;
import io.pier.cri.v1.PodSandboxConfig;
import io.pier.cri.v1.PodSandboxMetadata;
import io.pier.cri.v1.UserNamespace;
import org.junit.jupiter.api.Test;

/** RunPodSandbox's config in Pier's terms, and what Pier refuses of it. */
class PodSandboxSpecTest {

  private static PodSandboxConfig pod(NamespaceMode userns) {
    return PodSandboxConfig.newBuilder()
        .setMetadata(PodSandboxMetadata.newBuilder().setName("web").setUid("u1"))
        .setLinux(LinuxPodSandboxConfig.newBuilder().setSecurityContext(
            LinuxSandboxSecurityContext.newBuilder().setNamespaceOptions(
                NamespaceOption.newBuilder().setUsernsOptions(
                    UserNamespace.newBuilder().setMode(userns)))))
        .build();
  }

  @Test
  void aPodInTheNodesUserNamespaceRuns() {
    assertEquals("web", PodSandboxHandler.spec(pod(NamespaceMode.NODE), "").name());
  }

  @Test
  void aPodAskingForItsOwnUserNamespaceIsRefusedNamingTheMode() {
    for (NamespaceMode mode : new NamespaceMode[] {NamespaceMode.POD, NamespaceMode.CONTAINER,
        NamespaceMode.TARGET}) {
      String message = assertThrows(IllegalArgumentException.class,
          () -> PodSandboxHandler.spec(pod(mode), "")).getMessage();
      assertTrue(message.startsWith("pod web asks for a user namespace (mode " + mode + ")"),
          message);
    }
  }
}
