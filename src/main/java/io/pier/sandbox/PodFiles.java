package io.pier.sandbox;

import io.pier.system.HostCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/** The files a pod's containers share: resolv.conf, hostname, hosts and a /dev/shm tmpfs. */
final class PodFiles {

  /** The size of a pod's /dev/shm, as docker and cri-o default it. */
  static final String SHM_SIZE = "65536k";

  private PodFiles() {}

  static Path writeResolvConf(Path dir, PodSpec.DnsConfig dns) throws IOException {
    Path file = dir.resolve("resolv.conf");
    if (dns.isEmpty()) {
      Path host = Path.of("/etc/resolv.conf");
      Files.writeString(file, Files.exists(host) ? Files.readString(host) : "");
      return file;
    }
    StringBuilder text = new StringBuilder();
    if (!dns.searches().isEmpty()) {
      text.append("search ").append(String.join(" ", dns.searches())).append('\n');
    }
    for (String server : dns.servers()) {
      text.append("nameserver ").append(server).append('\n');
    }
    if (!dns.options().isEmpty()) {
      text.append("options ").append(String.join(" ", dns.options())).append('\n');
    }
    Files.writeString(file, text);
    return file;
  }

  /**
   * The pod's hostname: the one kubelet gave, else the node's, as containerd and cri-o do (a
   * pod name can exceed the kernel's 64-byte hostname limit).
   */
  static String hostname(PodSpec spec, Supplier<String> nodeHostname) {
    return spec.hostname().isEmpty() ? nodeHostname.get() : spec.hostname();
  }

  /** The node's hostname, from the kernel. */
  static String nodeHostname() {
    try {
      return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("reading the node's hostname", e);
    }
  }

  static Path writeHostname(Path dir, String hostname) throws IOException {
    return Files.writeString(dir.resolve("hostname"), hostname + "\n");
  }

  static Path writeHosts(Path dir, String hostname, List<String> ips) throws IOException {
    StringBuilder text = new StringBuilder("127.0.0.1\tlocalhost\n"
        + "::1\tlocalhost ip6-localhost ip6-loopback\n");
    for (String ip : ips) {
      text.append(ip).append('\t').append(hostname).append('\n');
    }
    return Files.writeString(dir.resolve("hosts"), text);
  }

  static Path mountShm(Path dir) {
    Path shm = dir.resolve("shm");
    try {
      Files.createDirectories(shm);
    } catch (IOException e) {
      throw new UncheckedIOException("creating " + shm, e);
    }
    HostCommand.Result mounted = HostCommand.of("mount", "-t", "tmpfs", "-o",
        "mode=1777,size=" + SHM_SIZE + ",nosuid,nodev,noexec", "shm", shm.toString()).run();
    if (!mounted.succeeded()) {
      throw new IllegalStateException("mounting /dev/shm tmpfs at " + shm + ": "
          + mounted.explanation());
    }
    return shm;
  }

  static void unmountShm(Path shm) {
    if (NamespacePinner.isMountPoint(shm)) {
      HostCommand.Result result = HostCommand.of("umount", shm.toString()).run();
      if (!result.succeeded()) {
        throw new IllegalStateException("unmounting " + shm + ": " + result.explanation());
      }
    }
  }
}
