package io.pier.oci;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Linux capability names and the sets a container's process gets. */
final class Capabilities {

  /** Every capability by number, as {@code linux/capability.h} numbers them. */
  static final List<String> ALL = List.of(
      "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
      "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
      "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
      "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
      "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
      "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
      "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
      "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
      "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE");

  /** What an unprivileged container gets unless it adds or drops, as containerd and cri-o. */
  static final List<String> DEFAULTS = List.of(
      "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
      "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
      "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");

  private Capabilities() {}

  /** The capabilities in this process's bounding set. */
  static Set<String> bounding() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("CapBnd:")) {
          BigInteger mask = new BigInteger(line.substring("CapBnd:".length()).strip(), 16);
          Set<String> caps = new LinkedHashSet<>();
          for (int bit = 0; bit < ALL.size(); bit++) {
            if (mask.testBit(bit)) {
              caps.add(ALL.get(bit));
            }
          }
          return caps;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // Fall through: assume every capability, as a root process outside a container has.
    }
    return new LinkedHashSet<>(ALL);
  }

  /**
   * The canonical name of a capability as kubelet or a user writes it: {@code net_admin},
   * {@code NET_ADMIN} and {@code CAP_NET_ADMIN} are one; empty for an unknown name.
   */
  static String canonical(String name) {
    String upper = name.strip().toUpperCase(Locale.ROOT);
    String full = upper.startsWith("CAP_") ? upper : "CAP_" + upper;
    return ALL.contains(full) ? full : "";
  }

  /**
   * The capability set of a container: the defaults, or all when {@code add} holds ALL, or
   * none when {@code drop} holds ALL; then {@code drop} removed and {@code add} added.
   */
  static Set<String> effective(Collection<String> add, Collection<String> drop) {
    Set<String> caps = new LinkedHashSet<>(DEFAULTS);
    if (containsAll(add)) {
      caps.addAll(ALL);
    }
    if (containsAll(drop)) {
      caps.clear();
    }
    caps.removeAll(names(drop));
    caps.addAll(names(add));
    return caps;
  }

  /** Canonical names of a list, leaving out ALL; throws naming the first unknown one. */
  static List<String> names(Collection<String> given) {
    List<String> names = new ArrayList<>();
    for (String name : given) {
      if (name.strip().equalsIgnoreCase("ALL")) {
        continue;
      }
      String canonical = canonical(name);
      if (canonical.isEmpty()) {
        throw new IllegalArgumentException("unknown capability " + name);
      }
      names.add(canonical);
    }
    return names;
  }

  private static boolean containsAll(Collection<String> names) {
    return names.stream().anyMatch(n -> n.strip().equalsIgnoreCase("ALL"));
  }
}
