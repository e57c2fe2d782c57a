package io.pier.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A registry on loopback that Pier's client talks to and that can lie: corrupt blobs,
 * truncated blobs, bearer-token auth with a token service.
 */
class FakeRegistryTest {

  private static final String TOKEN = "fake-bearer-token";
  private static final String IDENTITY = "fake-identity-token";

  private HttpServer server;
  private String host;
  private Path root;
  private ImageStore store;
  /** Blobs and manifests by path below {@code /v2/app/}. */
  private final Map<String, byte[]> content = new HashMap<>();
  /** Bytes each blob path is served with instead of its content, when set. */
  private final Map<String, byte[]> served = new HashMap<>();
  /** Authorization headers seen, in order. */
  private final List<String> seenAuth = new CopyOnWriteArrayList<>();
  private boolean bearer;
  private String manifestDigest;
  private List<String> layerDigests;

  @BeforeEach
  void start() throws Exception {
    root = Path.of("target/image-tests/fake").toAbsolutePath();
    LayerUnpacker.delete(root);
    store = new ImageStore(root.resolve("images"), root.resolve("containers"));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext("/", this::handle);
    server.start();
    host = "127.0.0.1:" + server.getAddress().getPort();
    image();
  }

  @AfterEach
  void stop() throws Exception {
    server.stop(0);
    LayerUnpacker.delete(root);
  }

  private void image() throws Exception {
    byte[] one = Layers.gzip(new Layers().file("one.txt", "one").tar());
    byte[] two = Layers.gzip(new Layers().file("two.txt", "two".repeat(10_000)).tar());
    byte[] oneTar = new Layers().file("one.txt", "one").tar();
    byte[] twoTar = new Layers().file("two.txt", "two".repeat(10_000)).tar();
    String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"User\":\"7\"},"
        + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + Digests.sha256(oneTar) + "\",\""
        + Digests.sha256(twoTar) + "\"]}}";
    byte[] configBytes = config.getBytes(StandardCharsets.UTF_8);
    layerDigests = List.of(Digests.sha256(one), Digests.sha256(two));
    String manifest = "{\"schemaVersion\":2,\"mediaType\":\""
        + "application/vnd.docker.distribution.manifest.v2+json\",\"config\":{\"mediaType\":"
        + "\"application/vnd.docker.container.image.v1+json\",\"digest\":\""
        + Digests.sha256(configBytes) + "\",\"size\":" + configBytes.length + "},\"layers\":["
        + "{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"digest\":\""
        + layerDigests.get(0) + "\",\"size\":" + one.length + "},"
        + "{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"digest\":\""
        + layerDigests.get(1) + "\",\"size\":" + two.length + "}]}";
    byte[] manifestBytes = manifest.getBytes(StandardCharsets.UTF_8);
    manifestDigest = Digests.sha256(manifestBytes);
    content.put("manifests/v1", manifestBytes);
    content.put("manifests/" + manifestDigest, manifestBytes);
    content.put("blobs/" + Digests.sha256(configBytes), configBytes);
    content.put("blobs/" + layerDigests.get(0), one);
    content.put("blobs/" + layerDigests.get(1), two);
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String auth = exchange.getRequestHeaders().getFirst("Authorization");
    if (auth != null) {
      seenAuth.add(auth);
    }
    if (path.equals("/token")) {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String basic = "Basic " + Base64.getEncoder().encodeToString(
          "alice:wonderland".getBytes(StandardCharsets.UTF_8));
      boolean ok = basic.equals(auth) || body.contains("refresh_token=" + IDENTITY);
      reply(exchange, ok ? 200 : 401,
          ok ? ("{\"token\":\"" + TOKEN + "\"}").getBytes(StandardCharsets.UTF_8) : new byte[0]);
      return;
    }
    if (bearer && !("Bearer " + TOKEN).equals(auth)) {
      exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"http://" + host
          + "/token\",service=\"fake\",scope=\"repository:app:pull\"");
      reply(exchange, 401, new byte[0]);
      return;
    }
    String key = path.replaceFirst("^/v2/app/", "");
    byte[] body = served.getOrDefault(key, content.get(key));
    if (body == null) {
      reply(exchange, 404, new byte[0]);
      return;
    }
    if (key.startsWith("manifests/")) {
      exchange.getResponseHeaders().add("Content-Type",
          "application/vnd.docker.distribution.manifest.v2+json");
    }
    reply(exchange, 200, body);
  }

  private static void reply(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private ImagePuller.Result pull(String ref, RegistryCredentials credentials) {
    ImagePuller puller = new ImagePuller(new RegistryHosts(List.of(), List.of(host)),
        new RegistryClient(), store);
    return puller.pull(ImageReference.parse(host + "/" + ref), credentials);
  }

  private void assertNothingVisible() throws IOException {
    assertTrue(store.list().isEmpty());
    assertTrue(new ImageStore(root.resolve("images"), root.resolve("containers")).list()
        .isEmpty(), "no record on disk");
    try (Stream<Path> tmp = Files.list(root.resolve("images/tmp"))) {
      assertEquals(0, tmp.count(), "temporary files removed");
    }
    assertTrue(store.layers().layer(Digests.sha256(
        new Layers().file("two.txt", "two".repeat(10_000)).tar())).isEmpty());
  }

  @Test
  void dockerSchema2ImagePullsByTagAndDigest() {
    ImagePuller.Result byTag = pull("app:v1", RegistryCredentials.NONE);
    ImagePuller.Result byDigest = pull("app@" + manifestDigest, RegistryCredentials.NONE);

    assertEquals(manifestDigest, byTag.resolvedDigest());
    assertEquals(byTag.image().id(), byDigest.image().id());
    assertEquals("7", byDigest.image().user());
    assertEquals(List.of(host + "/app:v1"), byDigest.image().repoTags());
    assertEquals(List.of(host + "/app@" + manifestDigest), byDigest.image().repoDigests());
  }

  @Test
  void corruptLayerFailsThePullAndNothingIsVisible() throws Exception {
    byte[] good = content.get("blobs/" + layerDigests.get(1));
    byte[] bad = good.clone();
    bad[bad.length / 2] ^= 0x55;
    served.put("blobs/" + layerDigests.get(1), bad);

    assertThrows(ImageException.class, () -> pull("app:v1", RegistryCredentials.NONE));

    assertNothingVisible();
  }

  @Test
  void truncatedLayerFailsThePullAndNothingIsVisible() throws Exception {
    byte[] good = content.get("blobs/" + layerDigests.get(1));
    served.put("blobs/" + layerDigests.get(1), java.util.Arrays.copyOf(good, good.length / 3));

    BlobVerificationException e = assertThrows(BlobVerificationException.class,
        () -> pull("app:v1", RegistryCredentials.NONE));

    assertTrue(e.getMessage().contains(layerDigests.get(1)), e.getMessage());
    assertNothingVisible();
  }

  @Test
  void fullDiskFailsThePullAndNothingIsVisible() throws Exception {
    // A real full file system: a tmpfs of two pages under the store, too small for layer two.
    Path original = root;
    Path disk = root.resolve("small-disk");
    Files.createDirectories(disk);
    TestRegistries.run(List.of("mount", "-t", "tmpfs", "-o", "size=8k", "tmpfs",
        disk.toString()));
    try {
      root = disk;
      store = new ImageStore(root.resolve("images"), root.resolve("containers"));

      ImageException e = assertThrows(ImageException.class,
          () -> pull("app:v1", RegistryCredentials.NONE));

      assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
      assertTrue(layerDigests.stream().anyMatch(e.getMessage()::contains), e.getMessage());
      assertNothingVisible();
    } finally {
      TestRegistries.run(List.of("umount", disk.toString()));
      root = original;
    }
  }

  @Test
  void manifestNotMatchingItsDigestIsRefused() throws Exception {
    served.put("manifests/" + manifestDigest, content.get("manifests/v1").clone());
    served.get("manifests/" + manifestDigest)[0] = ' ';

    BlobVerificationException e = assertThrows(BlobVerificationException.class,
        () -> pull("app@" + manifestDigest, RegistryCredentials.NONE));

    assertTrue(e.getMessage().contains(manifestDigest), e.getMessage());
    assertNothingVisible();
  }

  @Test
  void bearerTokenIsEarnedWithBasicCredentials() {
    bearer = true;

    RegistryAuthException refused = assertThrows(RegistryAuthException.class,
        () -> pull("app:v1", RegistryCredentials.of("alice", "not-it", "", "", "")));
    assertFalse(refused.getMessage().contains("not-it"), refused.getMessage());

    ImagePuller.Result result = pull("app:v1",
        RegistryCredentials.of("alice", "wonderland", "", "", ""));
    assertEquals(manifestDigest, result.resolvedDigest());
    assertTrue(seenAuth.contains("Bearer " + TOKEN));
  }

  @Test
  void identityTokenAndRegistryTokenAreHonoured() {
    bearer = true;

    pull("app:v1", RegistryCredentials.of("", "", "", IDENTITY, ""));
    store.remove(host + "/app:v1");
    seenAuth.clear();
    pull("app:v1", RegistryCredentials.of("", "", "", "", TOKEN));

    assertEquals("Bearer " + TOKEN, seenAuth.get(0), "registry token sent from the start");
  }
}
