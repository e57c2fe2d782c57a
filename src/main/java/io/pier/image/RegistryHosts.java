package io.pier.image;

import io.pier.config.PierConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decides which registry endpoints a pull tries, in order: the mirrors configured for the
 * longest matching name prefix ({@code prefix=host[:port][/path]}), then the origin.
 */
@ApplicationScoped
public class RegistryHosts {

  /** The host that serves docker.io's registry API. */
  static final String DOCKER_HUB_API = "registry-1.docker.io";

  private final List<Mirror> mirrors;
  private final Set<String> insecure;

  /** One {@code prefix=location} mirror entry. */
  record Mirror(String prefix, String location) {}

  @Inject
  RegistryHosts(PierConfig config) {
    this(config.registryMirrors().orElse(List.of()),
        config.insecureRegistries().orElse(List.of()));
  }

  /** Hosts from explicit mirror entries and insecure {@code host[:port]} entries. */
  public RegistryHosts(List<String> mirrorEntries, List<String> insecureHosts) {
    List<Mirror> parsed = new ArrayList<>();
    for (String entry : mirrorEntries) {
      String e = entry.strip();
      if (e.isEmpty()) {
        continue;
      }
      int eq = e.indexOf('=');
      if (eq <= 0 || eq == e.length() - 1) {
        throw new IllegalArgumentException("registry mirror \"" + e
            + "\" is not prefix=host[:port][/path]");
      }
      parsed.add(new Mirror(trimSlash(e.substring(0, eq)), trimSlash(e.substring(eq + 1))));
    }
    this.mirrors = List.copyOf(parsed);
    this.insecure = insecureHosts.stream().map(String::strip).filter(h -> !h.isEmpty())
        .collect(Collectors.toUnmodifiableSet());
  }

  /** The endpoints to try for {@code ref}: mirrors of the longest matching prefix first. */
  public List<RegistryEndpoint> endpoints(ImageReference ref) {
    String name = ref.name();
    int longest = -1;
    for (Mirror m : mirrors) {
      if (covers(m.prefix(), name)) {
        longest = Math.max(longest, m.prefix().length());
      }
    }
    List<RegistryEndpoint> result = new ArrayList<>();
    for (Mirror m : mirrors) {
      if (m.prefix().length() == longest && covers(m.prefix(), name)) {
        String mapped = m.location() + name.substring(m.prefix().length());
        int slash = mapped.indexOf('/');
        if (slash <= 0 || slash == mapped.length() - 1) {
          continue;
        }
        String host = mapped.substring(0, slash);
        result.add(new RegistryEndpoint(host, mapped.substring(slash + 1), isInsecure(host), true));
      }
    }
    String host = ref.registry().equals(ImageReference.DEFAULT_REGISTRY)
        ? DOCKER_HUB_API : ref.registry();
    result.add(new RegistryEndpoint(host, ref.repository(), isInsecure(ref.registry()), false));
    return result;
  }

  /** Whether {@code host} ({@code host[:port]}) is configured to be reached over HTTP. */
  public boolean isInsecure(String host) {
    return insecure.contains(host);
  }

  private static boolean covers(String prefix, String name) {
    return name.startsWith(prefix)
        && (name.length() == prefix.length() || name.charAt(prefix.length()) == '/');
  }

  private static String trimSlash(String s) {
    String t = s.strip();
    while (t.endsWith("/")) {
      t = t.substring(0, t.length() - 1);
    }
    return t;
  }
}
