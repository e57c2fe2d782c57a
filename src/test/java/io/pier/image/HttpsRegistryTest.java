package io.pier.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Pulls over HTTPS from docker-registry with a certificate made for the test. */
class HttpsRegistryTest {

  private static Path work;
  private static Process registry;
  private static String address;
  private static SSLContext trusting;

  @BeforeAll
  static void start() throws Exception {
    work = Path.of("target/image-tests/https").toAbsolutePath();
    LayerUnpacker.delete(work);
    Files.createDirectories(work);
    Path cert = work.resolve("cert.pem");
    Path key = work.resolve("key.pem");
    TestRegistries.run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
        "-keyout", key.toString(), "-out", cert.toString(), "-days", "1",
        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"));
    address = "127.0.0.1:" + TestRegistries.freePort();
    registry = TestRegistries.startRegistry(work.resolve("registry"), address,
        List.of("--tls", cert.toString(), key.toString()));
    TestRegistries.run(List.of("python3", TestRegistries.script().toString(), "push",
        TestRegistries.get().layouts.toString(), address));

    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(cert)) {
      trust.setCertificateEntry("test", CertificateFactory.getInstance("X.509")
          .generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(
        TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    trusting = SSLContext.getInstance("TLS");
    trusting.init(null, tmf.getTrustManagers(), null);
  }

  @AfterAll
  static void stop() throws Exception {
    if (registry != null) {
      registry.destroy();
      if (!registry.waitFor(5, TimeUnit.SECONDS)) {
        registry.destroyForcibly();
      }
    }
    LayerUnpacker.delete(work);
  }

  private ImagePuller puller(RegistryClient client) {
    ImageStore store = new ImageStore(work.resolve("store/images"),
        work.resolve("store/containers"));
    return new ImagePuller(new RegistryHosts(List.of(), List.of()), client, store);
  }

  @Test
  void pullsOverHttpsFromATrustedRegistry() {
    ImageRecord image = puller(new RegistryClient(trusting)).pull(
        ImageReference.parse(address + "/pier-test/busybox-uid"), RegistryCredentials.NONE)
        .image();

    assertEquals("1000:1000", image.user());
  }

  @Test
  void untrustedCertificateMakesTheRegistryUnavailable() {
    RegistryUnavailableException e = assertThrows(RegistryUnavailableException.class,
        () -> puller(new RegistryClient()).pull(
            ImageReference.parse(address + "/pier-test/busybox"), RegistryCredentials.NONE));

    assertTrue(e.getMessage().contains(address), e.getMessage());
  }
}
