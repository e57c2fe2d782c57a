package io.pier.oci;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pier.cri.v1.LinuxContainerSecurityContext;
import io.pier.cri.v1.SecurityProfile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The seccomp filter of a container: Pier's RuntimeDefault profile, none (Unconfined), or a
 * profile file on the node (Localhost), turned into the runtime spec's {@code linux.seccomp}.
 *
 * <p>Profiles may be written in the runtime spec's form or in Docker's (with {@code archMap},
 * {@code name} and {@code includes}/{@code excludes} conditions on capabilities and
 * architectures); conditions are decided here against the container's capabilities.
 */
final class SeccompProfiles {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String DEFAULT_RESOURCE = "seccomp-default.json";
  private static final JsonNode RUNTIME_DEFAULT = loadDefault();

  private SeccompProfiles() {}

  /**
   * The filter for a container with capabilities {@code caps}, or empty for none. The
   * {@code seccomp} field wins; the deprecated {@code seccomp_profile_path} is read when it is
   * unset ({@code runtime/default}, {@code docker/default}, {@code unconfined},
   * {@code localhost/<path>}).
   */
  static Optional<ObjectNode> forContainer(LinuxContainerSecurityContext sc, Set<String> caps) {
    if (sc.hasSeccomp()) {
      SecurityProfile profile = sc.getSeccomp();
      return switch (profile.getProfileType()) {
        case RuntimeDefault -> Optional.of(toSpec(RUNTIME_DEFAULT, caps));
        case Unconfined -> Optional.empty();
        case Localhost -> Optional.of(toSpec(load(profile.getLocalhostRef()), caps));
        default -> throw new IllegalArgumentException("unknown seccomp profile type "
            + profile.getProfileTypeValue());
      };
    }
    String path = sc.getSeccompProfilePath();
    if (path.isEmpty() || path.equals("unconfined")) {
      return Optional.empty();
    }
    if (path.equals("runtime/default") || path.equals("docker/default")) {
      return Optional.of(toSpec(RUNTIME_DEFAULT, caps));
    }
    if (path.startsWith("localhost/")) {
      return Optional.of(toSpec(load(path.substring("localhost/".length())), caps));
    }
    throw new IllegalArgumentException("unknown seccomp profile " + path);
  }

  /** A profile file on the node; a missing or malformed file is the caller's mistake. */
  static JsonNode load(String file) {
    if (file.isEmpty() || !file.startsWith("/")) {
      throw new IllegalArgumentException("seccomp profile path '" + file
          + "' is not absolute");
    }
    Path path = Path.of(file);
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException("seccomp profile " + file + " does not exist");
    }
    try {
      JsonNode profile = JSON.readTree(path.toFile());
      if (profile == null || !profile.isObject()
          || profile.path("defaultAction").asText().isEmpty()) {
        throw new IllegalArgumentException("seccomp profile " + file
            + " has no defaultAction");
      }
      return profile;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("seccomp profile " + file + " is not valid JSON: "
          + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException("reading seccomp profile " + file, e);
    }
  }

  /** A profile in the runtime spec's form, its conditional entries decided. */
  static ObjectNode toSpec(JsonNode profile, Set<String> caps) {
    ObjectNode spec = JSON.createObjectNode();
    spec.put("defaultAction", profile.path("defaultAction").asText());
    if (profile.has("defaultErrnoRet")) {
      spec.put("defaultErrnoRet", profile.get("defaultErrnoRet").asInt());
    }
    ArrayNode arches = spec.putArray("architectures");
    if (profile.has("architectures")) {
      profile.get("architectures").forEach(arches::add);
    } else {
      for (JsonNode entry : profile.path("archMap")) {
        if (entry.path("architecture").asText().equals(hostSeccompArch())) {
          arches.add(entry.get("architecture"));
          entry.path("subArchitectures").forEach(arches::add);
        }
      }
    }
    if (profile.has("flags")) {
      spec.set("flags", profile.get("flags"));
    }
    ArrayNode syscalls = spec.putArray("syscalls");
    for (JsonNode entry : profile.path("syscalls")) {
      if (!applies(entry, caps)) {
        continue;
      }
      ObjectNode call = syscalls.addObject();
      ArrayNode names = call.putArray("names");
      entry.path("names").forEach(names::add);
      if (entry.hasNonNull("name")) {
        names.add(entry.get("name"));
      }
      call.put("action", entry.path("action").asText());
      if (entry.has("errnoRet")) {
        call.put("errnoRet", entry.get("errnoRet").asInt());
      }
      if (entry.has("args") && !entry.get("args").isEmpty()) {
        call.set("args", entry.get("args"));
      }
    }
    return spec;
  }

  /** Whether an entry's capability and architecture conditions hold for this container. */
  private static boolean applies(JsonNode entry, Set<String> caps) {
    for (JsonNode cap : entry.path("includes").path("caps")) {
      if (!caps.contains(cap.asText())) {
        return false;
      }
    }
    for (JsonNode cap : entry.path("excludes").path("caps")) {
      if (caps.contains(cap.asText())) {
        return false;
      }
    }
    JsonNode included = entry.path("includes").path("arches");
    if (!included.isEmpty() && !contains(included, hostArch())) {
      return false;
    }
    return !contains(entry.path("excludes").path("arches"), hostArch());
  }

  private static boolean contains(JsonNode array, String value) {
    for (JsonNode item : array) {
      if (item.asText().equals(value)) {
        return true;
      }
    }
    return false;
  }

  /** The host's architecture as Go names it (Docker profiles use these names). */
  private static String hostArch() {
    String arch = System.getProperty("os.arch");
    return switch (arch) {
      case "aarch64" -> "arm64";
      case "x86_64" -> "amd64";
      default -> arch;
    };
  }

  private static String hostSeccompArch() {
    return switch (hostArch()) {
      case "arm64" -> "SCMP_ARCH_AARCH64";
      case "amd64" -> "SCMP_ARCH_X86_64";
      default -> "SCMP_ARCH_" + hostArch().toUpperCase(Locale.ROOT);
    };
  }

  private static JsonNode loadDefault() {
    try (InputStream in = SeccompProfiles.class.getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + DEFAULT_RESOURCE + " is missing");
      }
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + DEFAULT_RESOURCE, e);
    }
  }
}
