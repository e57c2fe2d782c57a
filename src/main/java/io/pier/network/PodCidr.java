package io.pier.network;

import io.pier.state.StateDirectories;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import org.jboss.logging.Logger;

/** The pod CIDR kubelet hands over with UpdateRuntimeConfig, kept for the CNI setup. */
@ApplicationScoped
public class PodCidr {

  private static final Logger LOG = Logger.getLogger(PodCidr.class);

  private final Path file;
  private volatile String cidr;

  PodCidr(StateDirectories dirs) {
    this.file = dirs.runRoot().resolve("pod-cidr");
    try {
      this.cidr = Files.exists(file) ? Files.readString(file).strip() : "";
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + file, e);
    }
  }

  /** The pod CIDR, when kubelet has sent one. */
  public Optional<String> get() {
    return cidr.isEmpty() ? Optional.empty() : Optional.of(cidr);
  }

  /**
   * Records a new pod CIDR; an empty one is ignored, as kubelet may send none. A value that
   * is not a CIDR is refused with {@link IllegalArgumentException} naming it.
   */
  public void update(String newCidr) {
    if (newCidr.isEmpty() || newCidr.equals(cidr)) {
      return;
    }
    for (String one : newCidr.split(",")) {
      if (!isCidr(one.strip())) {
        throw new IllegalArgumentException("pod CIDR '" + one.strip() + "' is not a CIDR"
            + " (address/prefix, e.g. 10.244.0.0/24)");
      }
    }
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, newCidr, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + file, e);
    }
    LOG.infof("pod CIDR set to %s", newCidr);
    cidr = newCidr;
  }

  /** Whether {@code text} is an IPv4 or IPv6 address with a prefix length it can carry. */
  static boolean isCidr(String text) {
    int slash = text.indexOf('/');
    if (slash < 0 || !text.substring(0, slash).matches("[0-9A-Fa-f:.]+")) {
      return false;
    }
    try {
      int bits = InetAddress.ofLiteral(text.substring(0, slash)).getAddress().length * 8;
      int prefix = Integer.parseInt(text.substring(slash + 1));
      return prefix >= 0 && prefix <= bits;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
