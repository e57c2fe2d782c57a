package io.pier.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pier.sandbox.NamespacePinner;
import io.pier.sandbox.PodNamespaces;
import io.pier.system.HostCommand;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Pods' namespaces pinned by bind mounts and attached with the real CNI plugins (bridge,
 * host-local, portmap, loopback): addresses, reachability, port mappings, and that nothing
 * is left behind once detached.
 */
@QuarkusTest
class PodNetworkTest {

  @Inject
  NamespacePinner pinner;

  @Inject
  CniRunner cni;

  private final List<String> pinned = new ArrayList<>();
  private final Map<PodNetworkRequest, PodNetworkResult> attached = new LinkedHashMap<>();
  private final List<Process> servers = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    for (Process server : servers) {
      server.destroyForcibly().waitFor();
    }
    // Detach while the namespaces are still pinned: bridge finds the addresses to unmasquerade
    // inside the netns.
    for (Map.Entry<PodNetworkRequest, PodNetworkResult> pod : attached.entrySet()) {
      cni.del(pod.getKey(), pod.getValue().cniResult(), pod.getValue().networkConfig());
    }
    for (String pod : pinned) {
      pinner.unpin(pod);
    }
  }

  @Test
  void twoPodsGetAddressesAndReachEachOtherThenLeaveNothingBehind() throws Exception {
    String vethsBefore = veths();
    PodNetworkRequest a = pod(List.of());
    PodNetworkRequest b = pod(List.of());

    PodNetworkResult first = attach(a);
    PodNetworkResult second = attach(b);

    assertTrue(first.primaryIp().startsWith("10.85."), first.ips().toString());
    assertTrue(second.primaryIp().startsWith("10.85."), second.ips().toString());
    assertFalse(first.primaryIp().equals(second.primaryIp()));
    HostCommand.Result ping = HostCommand.of("nsenter", "--net=" + a.netns(), "busybox", "ping",
        "-c", "1", "-W", "5", second.primaryIp()).run();
    assertTrue(ping.succeeded(), ping.explanation());
    HostCommand.Result lo = HostCommand.of("nsenter", "--net=" + a.netns(), "ip", "-o", "link",
        "show", "lo").run();
    assertTrue(lo.stdout().contains("UP"), "loopback must be up: " + lo.stdout());
    cni.check(a, first);

    cni.del(a, first.cniResult(), first.networkConfig());
    cni.del(b, second.cniResult(), second.networkConfig());

    assertEquals(vethsBefore, veths(), "veths left behind");
    assertFalse(Files.exists(Path.of("/var/lib/cni/networks/pier", first.primaryIp())),
        "address of pod a still reserved");
    assertFalse(iptables().contains(a.podId()), "iptables rules of pod a left behind");
  }

  @Test
  void delIsSafeToRepeatAndWorksWithoutTheCachedResult() throws Exception {
    PodNetworkRequest pod = pod(List.of());
    PodNetworkResult result = attach(pod);

    cni.del(pod, result.cniResult(), result.networkConfig());
    cni.del(pod, result.cniResult(), result.networkConfig());
    cni.del(pod, "", "");

    assertFalse(Files.exists(Path.of("/var/lib/cni/networks/pier", result.primaryIp())));
  }

  @Test
  void portMappingForwardsAHostPortOnLoopbackToThePod() throws Exception {
    int hostPort = 20000 + (int) (Math.random() * 20000);
    PodNetworkRequest pod = pod(List.of(new PortMapping(hostPort, 8080, "tcp", "")));
    PodNetworkResult result = attach(pod);
    Path www = Files.createTempDirectory("pier-www");
    Files.writeString(www.resolve("index.html"), "hello from the pod\n");
    servers.add(new ProcessBuilder("nsenter", "--net=" + pod.netns(), "busybox", "httpd", "-f",
        "-p", "8080", "-h", www.toString()).start());

    String body = getWithRetries("http://127.0.0.1:" + hostPort + "/index.html");
    assertEquals("hello from the pod\n", body);

    cni.del(pod, result.cniResult(), result.networkConfig());
    assertFalse(iptables().contains("dport " + hostPort), "port mapping rules left behind");
  }

  @Test
  void pluginFailureNamesThePluginAndThePod() {
    String id = UUID.randomUUID().toString().replace("-", "");
    PodNetworkRequest gone = new PodNetworkRequest(id, "default", "gone", "uid",
        Path.of("/run/pier-test-no-such-netns", id), List.of());

    CniException e = assertThrows(CniException.class, () -> cni.add(gone));

    assertTrue(e.getMessage().contains("plugin loopback for pod " + id), e.getMessage());
    assertTrue(e.getMessage().contains("no-such-netns"), e.getMessage());
  }

  private PodNetworkResult attach(PodNetworkRequest pod) {
    PodNetworkResult result = cni.add(pod);
    attached.put(pod, result);
    return result;
  }

  private PodNetworkRequest pod(List<PortMapping> ports) {
    String id = UUID.randomUUID().toString().replace("-", "");
    pinned.add(id);
    PodNamespaces ns = pinner.pin(id, "pod-" + id.substring(0, 8));
    return new PodNetworkRequest(id, "default", "pod-" + id.substring(0, 8),
        UUID.randomUUID().toString(), ns.net(), ports);
  }

  private static String veths() {
    return HostCommand.of("ip", "-o", "link", "show", "type", "veth").run().stdout()
        .lines().map(l -> l.split(":")[1].trim()).sorted().toList().toString();
  }

  private static String iptables() {
    return HostCommand.of("iptables-save").run().stdout();
  }

  private static String getWithRetries(String url) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    Exception last = null;
    for (int i = 0; i < 50; i++) {
      try {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(),
            HttpResponse.BodyHandlers.ofString()).body();
      } catch (Exception e) {
        last = e;
        Thread.sleep(100);
      }
    }
    throw last;
  }
}
