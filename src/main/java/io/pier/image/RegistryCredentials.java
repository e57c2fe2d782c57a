package io.pier.image;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * What kubelet passes to authenticate a pull: a user and password (or their base64
 * {@code auth} form), an identity token to trade for a bearer token, or a bearer token to
 * send as is. {@link #toString()} never shows a secret.
 */
public record RegistryCredentials(Optional<String> username, Optional<String> password,
    Optional<String> identityToken, Optional<String> registryToken) {

  /** No credentials: anonymous pulls. */
  public static final RegistryCredentials NONE = new RegistryCredentials(
      Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

  /**
   * Builds credentials from CRI's AuthConfig fields; empty strings mean "not given" and a
   * non-empty {@code auth} ({@code base64(user:password)}) stands for user and password.
   */
  public static RegistryCredentials of(String username, String password, String auth,
      String identityToken, String registryToken) {
    Optional<String> user = nonEmpty(username);
    Optional<String> pass = nonEmpty(password);
    if (user.isEmpty() && !auth.isEmpty()) {
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(auth.strip()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new ImageException("the auth field of the pull credentials is not base64");
      }
      int colon = decoded.indexOf(':');
      if (colon < 0) {
        throw new ImageException("the auth field of the pull credentials is not user:password");
      }
      user = Optional.of(decoded.substring(0, colon));
      pass = Optional.of(decoded.substring(colon + 1));
    }
    return new RegistryCredentials(user, pass, nonEmpty(identityToken), nonEmpty(registryToken));
  }

  /** Whether any credential is present. */
  public boolean isPresent() {
    return username.isPresent() || identityToken.isPresent() || registryToken.isPresent();
  }

  /** The HTTP Basic header value, when a user and password are present. */
  Optional<String> basicHeader() {
    return username.map(u -> "Basic " + Base64.getEncoder().encodeToString(
        (u + ":" + password.orElse("")).getBytes(StandardCharsets.UTF_8)));
  }

  private static Optional<String> nonEmpty(String s) {
    return s == null || s.isEmpty() ? Optional.empty() : Optional.of(s);
  }

  @Override
  public String toString() {
    return "RegistryCredentials[user=" + username.orElse("-")
        + (password.isPresent() ? ", password=***" : "")
        + (identityToken.isPresent() ? ", identityToken=***" : "")
        + (registryToken.isPresent() ? ", registryToken=***" : "") + "]";
  }
}
