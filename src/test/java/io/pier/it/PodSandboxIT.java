package io.pier.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pier.system.HostCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pod sandboxes through real crictl against the packaged pierd: run, list, inspect, reach
 * each other over the bridge, survive a kill -9 of pierd, stop and remove leaving nothing.
 */
class PodSandboxIT {

  private final ObjectMapper json = new ObjectMapper();

  @TempDir
  Path tmp;

  @Test
  void podsRunReachEachOtherSurviveARestartAndLeaveNothingBehind() throws Exception {
    Path home = tmp.resolve("pier");
    PodFixture fixture = new PodFixture(tmp);
    String first;
    String second;
    String ipFirst;
    String ipSecond;
    try (PierdProcess pierd = new PierdProcess(home).start()) {
      first = fixture.runPod(pierd, "alpha", 0);
      second = fixture.runPod(pierd, "beta", 0);

      Crictl.Result pods = Crictl.run(pierd.endpoint(), "pods", "--label", "suite=it", "-q");
      assertEquals(List.of(second, first), pods.stdout().lines().toList());
      JsonNode status = inspect(pierd, first);
      assertEquals("SANDBOX_READY", status.at("/status/state").asText());
      assertEquals("alpha", status.at("/status/metadata/name").asText());
      ipFirst = status.at("/status/network/ip").asText();
      ipSecond = inspect(pierd, second).at("/status/network/ip").asText();
      assertTrue(ipFirst.startsWith("10.85."), ipFirst);
      HostCommand.Result ping = HostCommand.of("nsenter",
          "--net=" + home.resolve("run/ns/" + first + "/net"), "busybox", "ping", "-c", "1",
          "-W", "5", ipSecond).run();
      assertTrue(ping.succeeded(), ping.explanation());
      Crictl.Result taken = Crictl.run(pierd.endpoint(), "runp",
          fixture.podConfig("alpha").toString());
      assertTrue(taken.stderr().contains("AlreadyExists"), taken.stderr());

      pierd.kill();
    }

    // The node's network configuration is gone meanwhile: pods still detach from the network
    // they were attached to.
    Path noNetworks = Files.createDirectories(tmp.resolve("no-networks"));
    try (PierdProcess pierd = new PierdProcess(home)
        .env("PIER_CNI_CONFIG_DIR", noNetworks.toString()).start()) {
      assertEquals("SANDBOX_READY", inspect(pierd, first).at("/status/state").asText());
      for (String pod : List.of(first, second)) {
        Crictl.Result stopped = Crictl.run(pierd.endpoint(), "stopp", pod);
        assertEquals(0, stopped.exitCode(), stopped.stderr());
        assertEquals(0, Crictl.run(pierd.endpoint(), "stopp", pod).exitCode());
      }
      assertEquals("SANDBOX_NOTREADY", inspect(pierd, first).at("/status/state").asText());
      for (String pod : List.of(first, second)) {
        Crictl.Result removed = Crictl.run(pierd.endpoint(), "rmp", pod);
        assertEquals(0, removed.exitCode(), removed.stderr());
      }
      assertEquals("", Crictl.run(pierd.endpoint(), "pods", "-q").stdout().strip());
    }

    String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
    assertFalse(mounts.contains(home.toString()), "mounts left under " + home);
    String rules = HostCommand.of("iptables-save").run().stdout();
    assertFalse(rules.contains(first) || rules.contains(second), "iptables rules left");
    for (String ip : List.of(ipFirst, ipSecond)) {
      assertFalse(Files.exists(Path.of("/var/lib/cni/networks/pier", ip)), ip + " still held");
    }
  }

  @Test
  void unknownPodIsNotFoundNamingIt() throws Exception {
    try (PierdProcess pierd = new PierdProcess(tmp.resolve("nf")).start()) {
      Crictl.Result result = Crictl.run(pierd.endpoint(), "inspectp", "0123456789abcdef");

      assertTrue(result.stderr().contains("NotFound"), result.stderr());
      assertTrue(result.stderr().contains("0123456789abcdef"), result.stderr());
    }
  }

  private JsonNode inspect(PierdProcess pierd, String pod) throws Exception {
    Crictl.Result result = Crictl.run(pierd.endpoint(), "inspectp", pod);
    assertEquals(0, result.exitCode(), result.stderr());
    return json.readTree(result.stdout());
  }
}
