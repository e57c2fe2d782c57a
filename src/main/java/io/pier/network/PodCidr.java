package io.pier.network;

import io.pier.state.StateDirectories;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
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

  /** Records a new pod CIDR; an empty one is ignored, as kubelet may send none. */
  public void update(String newCidr) {
    if (newCidr.isEmpty() || newCidr.equals(cidr)) {
      return;
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
}
