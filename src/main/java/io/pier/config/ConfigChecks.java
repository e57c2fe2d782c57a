package io.pier.config;

import io.pier.PierStartupException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Checks the settings whose types alone do not make them valid, so pierd refuses to start
 * with one line naming the key before it serves anything.
 */
public final class ConfigChecks {

  /** The longest unix socket path the kernel binds ({@code sun_path} less its NUL). */
  public static final int MAX_SOCKET_PATH = 107;

  /**
   * Bytes the private bind directory adds to the socket's directory: {@code /.pb-XXXXXXXX/s}.
   */
  public static final int STAGING_LENGTH = "/.pb-00000000/s".length();

  private static final Pattern HOST_PORT = Pattern.compile(
      "(?<host>[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+\\])(:(?<port>\\d{1,5}))?");
  private static final Pattern MIRROR = Pattern.compile(
      "(?<prefix>[^=\\s]+)=(?<host>[^/\\s]+)(?<path>/[^\\s]*)?");
  private static final Pattern IMAGE = Pattern.compile(
      "[a-z0-9]+([._:/-][A-Za-z0-9]+)*(@sha256:[a-f0-9]{64})?");

  private ConfigChecks() {}

  /** Checks every setting; throws with the first problem found. */
  public static void check(PierConfig config) {
    checkAbsolute("pier.socket", config.socket());
    checkAbsolute("pier.root", config.root());
    checkAbsolute("pier.run-root", config.runRoot());
    checkAbsolute("pier.cni-config-dir", config.cniConfigDir());
    for (Path dir : config.cniPluginDirs()) {
      checkAbsolute("pier.cni-plugin-dirs", dir);
    }
    // A bare name is looked up in PATH; a path with a slash must not depend on the cwd.
    config.monitor().filter(p -> p.toString().contains("/"))
        .ifPresent(p -> checkAbsolute("pier.monitor", p));
    if (config.runtime().contains("/")) {
      checkAbsolute("pier.runtime", Path.of(config.runtime()));
    }
    checkPort("pier.management-port", config.managementPort(), false);
    checkHostPort("pier.stream-address", config.streamAddress(), true);
    for (String mirror : config.registryMirrors().orElse(List.of())) {
      var m = MIRROR.matcher(mirror);
      if (!m.matches()) {
        throw invalid("pier.registry-mirrors", mirror, "expected prefix=host[:port][/path]");
      }
      checkHostPort("pier.registry-mirrors", m.group("host"), false);
    }
    for (String registry : config.insecureRegistries().orElse(List.of())) {
      checkHostPort("pier.insecure-registries", registry, false);
    }
    if (!IMAGE.matcher(config.pauseImage()).matches()) {
      throw invalid("pier.pause-image", config.pauseImage(), "not an image reference");
    }
    Path socket = config.socket().toAbsolutePath();
    int length = bytes(socket.toString());
    int staged = bytes(socket.getParent().toString()) + STAGING_LENGTH;
    if (Math.max(length, staged) > MAX_SOCKET_PATH) {
      throw invalid("pier.socket", socket.toString(), "too long for a unix socket: its"
          + " directory may take " + (MAX_SOCKET_PATH - STAGING_LENGTH) + " bytes");
    }
  }

  private static void checkAbsolute(String key, Path path) {
    if (!path.isAbsolute()) {
      throw invalid(key, path.toString(), "must be an absolute path");
    }
  }

  private static int bytes(String path) {
    return path.getBytes(StandardCharsets.UTF_8).length;
  }

  private static void checkHostPort(String key, String value, boolean portRequired) {
    var m = HOST_PORT.matcher(value);
    if (!m.matches() || (portRequired && m.group("port") == null)) {
      throw invalid(key, value, portRequired ? "expected host:port" : "expected host[:port]");
    }
    if (m.group("port") != null) {
      checkPort(key, Integer.parseInt(m.group("port")), true);
    }
  }

  private static void checkPort(String key, int port, boolean zeroAllowed) {
    if (port < (zeroAllowed ? 0 : 1) || port > 65535) {
      throw invalid(key, Integer.toString(port), "port must be between "
          + (zeroAllowed ? 0 : 1) + " and 65535");
    }
  }

  private static PierStartupException invalid(String key, String value, String why) {
    return new PierStartupException("invalid configuration: " + key + "=\"" + value + "\": "
        + why);
  }
}
