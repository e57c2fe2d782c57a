package io.pier.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * Speaks the OCI distribution API (v2) to registries: manifests and blobs, with bearer-token
 * and basic authentication.
 *
 * <p>Written on {@code java.net.http} rather than jib-core's client: a pull needs only GETs
 * of manifests and blobs plus the token dance, which is small; jib-core would bring Google's
 * HTTP client and Guava into the daemon, buffers a blob through its own abstractions where
 * Pier wants to stream it straight into the unpacker, and resolves no image index to a
 * platform for pulls on its own. Owning the client also keeps secrets out of every message.
 */
@ApplicationScoped
public class RegistryClient {

  /** Every manifest type Pier reads, in the order it prefers them. */
  static final String MANIFEST_ACCEPT = String.join(", ",
      MediaTypes.OCI_INDEX, MediaTypes.DOCKER_LIST, MediaTypes.OCI_MANIFEST,
      MediaTypes.DOCKER_MANIFEST);

  private static final Pattern CHALLENGE_PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
  private static final int MAX_REDIRECTS = 5;
  private static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

  private final HttpClient http;
  private final ObjectMapper json = new ObjectMapper();

  /**
   * A client with its own connection pool, trusting the JVM's default certificate
   * authorities.
   */
  public RegistryClient() {
    this(defaultTls());
  }

  /**
   * A client trusting what {@code tls} trusts.
   *
   * <p>Limitation: no per-registry CA directory ({@code certs.d}) yet; a private CA goes into
   * the JVM trust store ({@code -Djavax.net.ssl.trustStore} through {@code PIER_JAVA_OPTS}).
   */
  public RegistryClient(SSLContext tls) {
    // HTTP/1.1: each parallel layer download gets its own TCP connection, which moves more
    // bytes than multiplexing them over one HTTP/2 connection.
    this.http = HttpClient.newBuilder()
        .sslContext(tls)
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /** Opens a session for one repository on one endpoint with the pull's credentials. */
  public Session session(RegistryEndpoint endpoint, RegistryCredentials credentials) {
    return new Session(endpoint, credentials);
  }

  /** A manifest as fetched: its bytes, media type and digest. */
  public record FetchedManifest(byte[] bytes, String mediaType, String digest) {}

  /** A pull's conversation with one endpoint, holding the bearer token it earned. */
  public final class Session {

    /** Where the requests go. */
    private final RegistryEndpoint endpoint;
    /** The pull's credentials, sent only when the registry asks. */
    private final RegistryCredentials credentials;
    /** The Authorization header value to send, once one is known. */
    private volatile Optional<String> authorization;

    private Session(RegistryEndpoint endpoint, RegistryCredentials credentials) {
      this.endpoint = endpoint;
      this.credentials = credentials;
      this.authorization = credentials.registryToken().map(t -> "Bearer " + t);
    }

    /** The endpoint this session talks to. */
    public RegistryEndpoint endpoint() {
      return endpoint;
    }

    /**
     * Fetches a manifest by tag or digest; a digest reference is verified against the bytes.
     */
    public FetchedManifest manifest(String reference) {
      HttpResponse<InputStream> response = get(endpoint.base() + "/manifests/" + reference,
          MANIFEST_ACCEPT, "manifest " + reference);
      byte[] bytes;
      try (InputStream body = response.body()) {
        bytes = body.readNBytes(MAX_MANIFEST_BYTES + 1);
      } catch (IOException e) {
        throw unavailable("reading manifest " + reference, e);
      }
      if (bytes.length > MAX_MANIFEST_BYTES) {
        throw new ImageException("manifest " + reference + " from " + endpoint
            + " is larger than " + MAX_MANIFEST_BYTES + " bytes");
      }
      String digest = Digests.sha256(bytes);
      if (reference.startsWith("sha256:") && !reference.equals(digest)) {
        throw new BlobVerificationException("manifest " + reference + " from " + endpoint
            + " has digest " + digest + ", expected " + reference);
      }
      String type = response.headers().firstValue("Content-Type").orElse("");
      int semicolon = type.indexOf(';');
      type = (semicolon >= 0 ? type.substring(0, semicolon) : type).strip();
      return new FetchedManifest(bytes, type, digest);
    }

    /** Opens a blob's content; the caller verifies digest and size while reading. */
    public InputStream blob(String digest) {
      return get(endpoint.base() + "/blobs/" + digest, "*/*", "blob " + digest).body();
    }

    private HttpResponse<InputStream> get(String url, String accept, String what) {
      URI uri = URI.create(url);
      boolean retriedAuth = false;
      for (int hop = 0; hop <= MAX_REDIRECTS; ) {
        boolean sameHost = uri.getAuthority().equals(endpoint.host());
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
            .timeout(Duration.ofMinutes(30))
            .header("Accept", accept)
            .header("User-Agent", "pier")
            .GET();
        // Credentials go to the registry only, never to a storage host it redirects to.
        if (sameHost) {
          authorization.ifPresent(a -> request.header("Authorization", a));
        }
        HttpResponse<InputStream> response = send(request.build(), what);
        int status = response.statusCode();
        if (status == 200) {
          return response;
        }
        discard(response);
        if (status == 401 && sameHost && !retriedAuth) {
          retriedAuth = true;
          authenticate(response.headers().firstValue("WWW-Authenticate").orElse(""), what);
          continue;
        }
        if (status / 100 == 3) {
          String location = response.headers().firstValue("Location")
              .orElseThrow(() -> unavailable(what + ": redirect without Location", null));
          uri = uri.resolve(location);
          hop++;
          continue;
        }
        if (status == 401 || status == 403) {
          throw new RegistryAuthException("registry " + endpoint.host() + " refused access to "
              + what + " of " + endpoint.repository() + " (HTTP " + status + ")"
              + (credentials.isPresent() ? " with the given credentials" : " without credentials"));
        }
        if (status == 404) {
          throw new ImageNotFoundException(what + " not found in " + endpoint);
        }
        throw unavailable(what + " of " + endpoint + ": HTTP " + status, null);
      }
      throw unavailable(what + " of " + endpoint + ": too many redirects", null);
    }

    /** Answers a 401 challenge: trades credentials for a bearer token, or uses basic auth. */
    private void authenticate(String challenge, String what) {
      String scheme = challenge.isBlank() ? "" : challenge.strip().split("\\s+", 2)[0];
      if (scheme.equalsIgnoreCase("Basic")) {
        authorization = Optional.of(credentials.basicHeader().orElseThrow(() ->
            new RegistryAuthException("registry " + endpoint.host() + " requires credentials"
                + " for " + what + " of " + endpoint.repository())));
        return;
      }
      if (!scheme.equalsIgnoreCase("Bearer")) {
        throw new RegistryAuthException("registry " + endpoint.host()
            + " asked for unsupported authentication \"" + scheme + "\"");
      }
      Map<String, String> params = new LinkedHashMap<>();
      Matcher m = CHALLENGE_PARAM.matcher(challenge);
      while (m.find()) {
        params.put(m.group(1).toLowerCase(), m.group(2));
      }
      String realm = params.get("realm");
      if (realm == null) {
        throw new RegistryAuthException("registry " + endpoint.host()
            + " sent a bearer challenge without realm");
      }
      String scope = params.getOrDefault("scope", "repository:" + endpoint.repository() + ":pull");
      authorization = Optional.of("Bearer " + token(realm, params.get("service"), scope));
    }

    private String token(String realm, String service, String scope) {
      HttpRequest.Builder request;
      if (credentials.identityToken().isPresent()) {
        String form = "grant_type=refresh_token&client_id=pier"
            + "&refresh_token=" + encode(credentials.identityToken().get())
            + (service == null ? "" : "&service=" + encode(service))
            + "&scope=" + encode(scope);
        request = HttpRequest.newBuilder(URI.create(realm))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form));
      } else {
        String query = (service == null ? "" : "service=" + encode(service) + "&")
            + "scope=" + encode(scope);
        request = HttpRequest.newBuilder(URI.create(realm + (realm.contains("?") ? "&" : "?")
            + query)).GET();
        credentials.basicHeader().ifPresent(h -> request.header("Authorization", h));
      }
      request.timeout(Duration.ofSeconds(30)).header("User-Agent", "pier");
      HttpResponse<InputStream> response = send(request.build(), "token from " + realm);
      int status = response.statusCode();
      JsonNode body;
      try (InputStream in = response.body()) {
        byte[] bytes = in.readNBytes(1024 * 1024);
        if (status == 401 || status == 403) {
          throw new RegistryAuthException("token service " + URI.create(realm).getHost()
              + " of registry " + endpoint.host() + " refused the credentials (HTTP "
              + status + ")");
        }
        if (status != 200) {
          throw unavailable("token service " + realm + ": HTTP " + status, null);
        }
        body = json.readTree(bytes);
      } catch (IOException e) {
        throw unavailable("reading a token from " + realm, e);
      }
      String token = body.path("token").asText(body.path("access_token").asText(""));
      if (token.isEmpty()) {
        throw new RegistryAuthException("token service of registry " + endpoint.host()
            + " answered without a token");
      }
      return token;
    }

    private HttpResponse<InputStream> send(HttpRequest request, String what) {
      try {
        return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      } catch (IOException e) {
        throw unavailable(what + " from " + request.uri().getAuthority(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ImageException("interrupted while fetching " + what);
      }
    }

    private RegistryUnavailableException unavailable(String what, Throwable cause) {
      String reason = cause == null ? "" : ": " + reason(cause);
      return new RegistryUnavailableException("registry " + endpoint.host()
          + " unavailable: " + what + reason, cause);
    }

    /** Why a request failed: the JDK's HTTP client often wraps the cause without a message. */
    private static String reason(Throwable failure) {
      for (Throwable t = failure; t != null; t = t.getCause()) {
        if (t instanceof ConnectException) {
          return t.getMessage() == null ? "connection refused" : t.getMessage();
        }
      }
      Throwable t = failure;
      while (t.getMessage() == null && t.getCause() != null) {
        t = t.getCause();
      }
      return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
  }

  private static SSLContext defaultTls() {
    try {
      return SSLContext.getDefault();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no TLS implementation", e);
    }
  }

  private static void discard(HttpResponse<InputStream> response) {
    try (InputStream in = response.body()) {
      in.skip(64 * 1024);
    } catch (IOException e) {
      // The connection is dropped instead of reused; nothing else to do.
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
