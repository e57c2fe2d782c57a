package io.pier.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jboss.logging.Logger;

/**
 * Pulls an image: resolves the reference on the mirrors then the origin, picks the host's
 * platform from an index, fetches the config, streams every missing layer into the
 * {@link LayerStore} in parallel, and records the image only when all of it is verified.
 *
 * <p>Limitation: a mirror that requires authentication cannot be used, since pull
 * credentials are only sent to the image's own registry and mirrors have none of their own.
 */
@ApplicationScoped
public class ImagePuller {

  private static final Logger LOG = Logger.getLogger(ImagePuller.class);

  private final RegistryHosts hosts;
  private final RegistryClient client;
  private final ImageStore store;
  private final ObjectMapper json = new ObjectMapper();
  private final Clock clock = Clock.systemUTC();

  /** A finished pull: the image, the digest the reference resolved to, bytes downloaded. */
  public record Result(ImageRecord image, String resolvedDigest, long bytesDownloaded) {}

  /** A puller reaching registries through {@code hosts} and storing into {@code store}. */
  public ImagePuller(RegistryHosts hosts, RegistryClient client, ImageStore store) {
    this.hosts = hosts;
    this.client = client;
    this.store = store;
  }

  /** Pulls {@code ref} with {@code credentials}. */
  public Result pull(ImageReference ref, RegistryCredentials credentials) {
    List<RegistryEndpoint> endpoints = hosts.endpoints(ref);
    RuntimeException failure = null;
    boolean allNotFound = true;
    for (RegistryEndpoint endpoint : endpoints) {
      // kubelet's credentials are for the image's own registry: a mirror gets none of them.
      RegistryClient.Session session = client.session(endpoint,
          endpoint.mirror() ? RegistryCredentials.NONE : credentials);
      RegistryClient.FetchedManifest top;
      try {
        top = session.manifest(ref.manifestReference());
      } catch (ImageException e) {
        if (endpoint.mirror()) {
          LOG.infof("mirror %s could not serve %s (%s); trying the next", endpoint, ref,
              e.getMessage());
        }
        allNotFound &= e instanceof ImageNotFoundException;
        failure = e;
        continue;
      }
      return pullFrom(ref, session, top);
    }
    if (allNotFound) {
      throw new ImageNotFoundException("image " + ref + " not found"
          + (endpoints.size() > 1 ? " on " + endpoints : ""));
    }
    throw failure;
  }

  private Result pullFrom(ImageReference ref, RegistryClient.Session session,
      RegistryClient.FetchedManifest top) {
    List<RegistryClient.FetchedManifest> manifests = new ArrayList<>();
    manifests.add(top);
    RegistryClient.FetchedManifest manifest = top;
    JsonNode node = parse(top.bytes(), "manifest " + top.digest());
    if (isIndex(top.mediaType(), node)) {
      String platformDigest = selectPlatform(node, ref);
      manifest = session.manifest(platformDigest);
      manifests.add(manifest);
      node = parse(manifest.bytes(), "manifest " + platformDigest);
    }
    if (!node.has("config") || !node.has("layers")) {
      throw new ImageException("manifest " + manifest.digest() + " of " + ref
          + " is not an OCI or Docker schema 2 image manifest (type "
          + node.path("mediaType").asText(manifest.mediaType()) + ")");
    }

    String configDigest = node.path("config").path("digest").asText();
    long configSize = node.path("config").path("size").asLong();
    byte[] configBytes;
    try (var in = session.blob(configDigest)) {
      configBytes = in.readNBytes((int) Math.min(configSize + 1, 64L * 1024 * 1024));
    } catch (IOException e) {
      throw new RegistryUnavailableException("reading config " + configDigest + " of " + ref
          + ": " + e.getMessage(), e);
    }
    if (configBytes.length != configSize) {
      throw new BlobVerificationException("config " + configDigest + " of " + ref + " has "
          + configBytes.length + " bytes, expected " + configSize);
    }
    String actual = Digests.sha256(configBytes);
    if (!actual.equals(configDigest)) {
      throw new BlobVerificationException("config of " + ref + " has digest " + actual
          + ", expected " + configDigest);
    }
    JsonNode config = parse(configBytes, "config " + configDigest);
    List<String> diffIds = new ArrayList<>();
    config.path("rootfs").path("diff_ids").forEach(d -> diffIds.add(d.asText()));
    JsonNode layerNodes = node.path("layers");
    if (diffIds.size() != layerNodes.size()) {
      throw new ImageException("image " + ref + ": manifest has " + layerNodes.size()
          + " layers but config lists " + diffIds.size() + " diff IDs");
    }

    List<String> layerDigests = new ArrayList<>();
    List<Long> layerSizes = new ArrayList<>();
    List<String> chainIds = new ArrayList<>();
    long size = configSize;
    String chain = null;
    for (int i = 0; i < layerNodes.size(); i++) {
      String digest = layerNodes.get(i).path("digest").asText();
      Digests.hex(digest);
      Digests.hex(diffIds.get(i));
      layerDigests.add(digest);
      layerSizes.add(layerNodes.get(i).path("size").asLong());
      size += layerSizes.get(i);
      chain = chain == null ? diffIds.get(i) : Digests.chain(chain, diffIds.get(i));
      chainIds.add(chain);
    }

    List<String> pins = new ArrayList<>(chainIds);
    pins.addAll(layerDigests);
    store.pin(pins);
    try {
      long bytes = configSize + fetchLayers(ref, session, layerDigests, layerSizes, diffIds,
          chainIds);
      store.layers().putBlob(configBytes, configDigest);
      for (RegistryClient.FetchedManifest m : manifests) {
        store.layers().putBlob(m.bytes(), m.digest());
      }
      ImageRecord record = new ImageRecord(configDigest,
          ref.tagged().map(List::of).orElse(List.of()), List.of(ref.withDigest(top.digest())),
          size, config.path("config").path("User").asText(""),
          manifests.stream().map(RegistryClient.FetchedManifest::digest).toList(),
          layerDigests, diffIds, chainIds, clock.millis());
      return new Result(store.add(record), top.digest(), bytes);
    } finally {
      store.unpin(pins);
    }
  }

  private long fetchLayers(ImageReference ref, RegistryClient.Session session,
      List<String> digests, List<Long> sizes, List<String> diffIds, List<String> chainIds) {
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Long>> running = new ArrayList<>();
      for (int i = 0; i < digests.size(); i++) {
        int n = i;
        running.add(pool.submit(() -> store.layers().pullLayer(digests.get(n), sizes.get(n),
            diffIds.get(n), chainIds.get(n), () -> session.blob(digests.get(n)))));
      }
      long total = 0;
      RuntimeException failure = null;
      for (Future<Long> f : running) {
        try {
          total += f.get();
        } catch (ExecutionException e) {
          if (failure == null) {
            failure = e.getCause() instanceof RuntimeException r ? r
                : new ImageException("pulling " + ref + ": " + e.getCause(), e.getCause());
            running.forEach(other -> other.cancel(true));
          }
        } catch (CancellationException e) {
          // Cancelled after an earlier layer failed; that failure is reported.
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new ImageException("interrupted while pulling " + ref);
        }
      }
      if (failure != null) {
        throw failure;
      }
      return total;
    }
  }

  private static boolean isIndex(String mediaType, JsonNode node) {
    String declared = node.path("mediaType").asText(mediaType);
    return MediaTypes.isIndex(declared) || MediaTypes.isIndex(mediaType)
        || (node.has("manifests") && !node.has("layers"));
  }

  /** The digest of the index entry for linux and this machine's architecture. */
  private static String selectPlatform(JsonNode index, ImageReference ref) {
    String arch = hostArchitecture();
    for (JsonNode m : index.path("manifests")) {
      JsonNode p = m.path("platform");
      if (p.path("os").asText().equals("linux") && p.path("architecture").asText().equals(arch)) {
        return m.path("digest").asText();
      }
    }
    throw new ImageNotFoundException("image " + ref + " has no manifest for linux/" + arch);
  }

  /** The OCI name of the JVM's architecture. */
  static String hostArchitecture() {
    String arch = System.getProperty("os.arch");
    return switch (arch) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      default -> arch;
    };
  }

  private JsonNode parse(byte[] bytes, String what) {
    try {
      return json.readTree(bytes);
    } catch (IOException e) {
      throw new ImageException(what + " is not valid JSON: " + e.getMessage());
    }
  }

  /** The parsed config of a stored image, if its blob is present. */
  public Optional<JsonNode> config(ImageRecord image) {
    return store.layers().readBlob(image.id()).map(b -> parse(b, "config " + image.id()));
  }
}
