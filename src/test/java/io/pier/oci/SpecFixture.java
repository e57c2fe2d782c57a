package io.pier.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pier.cri.v1.ContainerConfig;
import io.pier.cri.v1.ContainerMetadata;
import io.pier.cri.v1.ImageSpec;
import io.pier.cri.v1.PodSandboxConfig;
import io.pier.sandbox.PodNamespaces;
import io.pier.sandbox.PodSpec;
import io.pier.sandbox.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A pod, a root file system and a generator for spec tests, all under one temp directory. */
final class SpecFixture {

  static final ObjectMapper JSON = new ObjectMapper();

  final Path dir;
  final Path rootfs;
  final Path podDir;
  HostFeatures host = new HostFeatures(false, false, true, 0, Set.copyOf(Capabilities.ALL),
      true);
  boolean restrictOomScoreAdj = true;
  boolean hostNetwork;
  boolean hostPid;
  boolean hostIpc;
  Map<String, String> sysctls = Map.of();
  ObjectNode image = JSON.createObjectNode();
  Optional<Path> podPidNamespace = Optional.empty();
  Optional<Path> terminationFile = Optional.empty();
  Optional<Path> targetPidNamespace = Optional.empty();

  SpecFixture(Path dir) throws IOException {
    this.dir = dir;
    this.rootfs = Files.createDirectories(dir.resolve("rootfs"));
    Files.createDirectories(rootfs.resolve("etc"));
    this.podDir = Files.createDirectories(dir.resolve("pod"));
    Files.writeString(podDir.resolve("hostname"), "web-pod\n");
    Files.writeString(podDir.resolve("hosts"), "127.0.0.1 localhost\n");
    Files.writeString(podDir.resolve("resolv.conf"), "nameserver 10.0.0.10\n");
    Files.createDirectories(podDir.resolve("shm"));
    image.putArray("Cmd").add("/bin/sh");
  }

  /** A config builder with a name and an image, the rest for each test to fill in. */
  static ContainerConfig.Builder container(String name) {
    return ContainerConfig.newBuilder()
        .setMetadata(ContainerMetadata.newBuilder().setName(name))
        .setImage(ImageSpec.newBuilder().setImage("busybox:latest"));
  }

  Sandbox sandbox() {
    PodSpec spec = new PodSpec("web-pod", "uid-1", "default", 0, "web-pod", "",
        new PodSpec.DnsConfig(List.of(), List.of(), List.of()), List.of(), Map.of(), Map.of(),
        "", hostNetwork, hostPid, hostIpc, false, sysctls, "");
    return new Sandbox("pod1234", spec, Sandbox.State.READY, 1L,
        hostNetwork ? "" : "/run/pier/ns/pod1234/net", List.of("10.88.0.5"), "", "",
        podDir.resolve("shm").toString(), podDir.resolve("resolv.conf").toString(),
        podDir.resolve("hostname").toString(), podDir.resolve("hosts").toString(), 0);
  }

  SpecGenerator generator() {
    return new SpecGenerator(host, restrictOomScoreAdj,
        id -> PodNamespaces.under(Path.of("/run/pier/ns", id)));
  }

  SpecInput input(ContainerConfig config) {
    return new SpecInput("c0ffee", config, PodSandboxConfig.getDefaultInstance(), sandbox(),
        image, rootfs, "pier-test/c0ffee", podPidNamespace, terminationFile,
        targetPidNamespace);
  }

  ObjectNode generate(ContainerConfig.Builder config) {
    return generator().generate(input(config.build()));
  }

  static List<String> texts(JsonNode array) {
    return java.util.stream.StreamSupport.stream(array.spliterator(), false)
        .map(JsonNode::asText).toList();
  }

  /** The mount at a destination, or a missing node. */
  static JsonNode mountAt(JsonNode spec, String destination) {
    for (JsonNode m : spec.path("mounts")) {
      if (m.path("destination").asText().equals(destination)) {
        return m;
      }
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }

  /** The namespace entry of a type, or a missing node. */
  static JsonNode namespace(JsonNode spec, String type) {
    for (JsonNode ns : spec.path("linux").path("namespaces")) {
      if (ns.path("type").asText().equals(type)) {
        return ns;
      }
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }
}
