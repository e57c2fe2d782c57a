package io.pier.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.pier.config.PierConfig;
import io.pier.state.DiskUsage;
import io.pier.state.StateDirectories;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * What the CRI image handlers call: pull, look up, list and remove images, with one log line
 * per pull and the image metrics: {@code pier_image_pulls_seconds} (count and duration by
 * outcome), {@code pier_image_pulled_bytes_total} and {@code pier_image_store_bytes}.
 */
@ApplicationScoped
public class ImageService {

  private static final Logger LOG = Logger.getLogger(ImageService.class);

  private final ImagePuller puller;
  private final ImageStore store;
  private final MeterRegistry meters;
  private final Path imageRoot;
  /** The normalised pause image, which kubelet's image GC must never remove. */
  private final String pauseImage;
  private final Counter pulledBytes;
  /** Bytes the image store uses, measured after each change. */
  private final AtomicLong storeBytes = new AtomicLong();

  ImageService(ImagePuller puller, ImageStore store, MeterRegistry meters,
      StateDirectories dirs, PierConfig config) {
    this.pauseImage = ImageReference.parse(config.pauseImage()).toString();
    this.puller = puller;
    this.store = store;
    this.meters = meters;
    this.imageRoot = dirs.imageStore();
    this.pulledBytes = Counter.builder("pier.image.pulled.bytes")
        .description("Compressed bytes downloaded from registries").baseUnit("bytes")
        .register(meters);
    Gauge.builder("pier.image.store.bytes", storeBytes, AtomicLong::get)
        .description("Bytes used by image storage (blobs, layers, records)").baseUnit("bytes")
        .register(meters);
    Thread.startVirtualThread(this::measureStore);
  }

  /** Pulls an image by reference and returns its record. */
  public ImageRecord pull(String reference, RegistryCredentials credentials) {
    long start = System.nanoTime();
    String outcome = "failed";
    try {
      ImageReference ref = ImageReference.parse(reference);
      ImagePuller.Result result = puller.pull(ref, credentials);
      outcome = "success";
      pulledBytes.increment(result.bytesDownloaded());
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      LOG.infof("pulled %s digest=%s image=%s bytes=%d time=%dms", ref,
          result.resolvedDigest(), result.image().id(), result.bytesDownloaded(),
          took.toMillis());
      return result.image();
    } catch (RuntimeException e) {
      outcome = outcome(e);
      LOG.infof("pull of %s failed (%s): %s", reference, outcome, e.getMessage());
      throw e;
    } finally {
      Timer.builder("pier.image.pulls").description("Image pulls by outcome")
          .tag("outcome", outcome).register(meters)
          .record(Duration.ofNanos(System.nanoTime() - start));
      Thread.startVirtualThread(this::measureStore);
    }
  }

  /** The image a reference or ID names. */
  public Optional<ImageRecord> find(String image) {
    return store.find(image);
  }

  /** Every image, or those {@code filter} names when present. */
  public List<ImageRecord> list(Optional<String> filter) {
    if (filter.isEmpty() || filter.get().isBlank()) {
      return store.list();
    }
    return store.find(filter.get()).map(List::of).orElse(List.of());
  }

  /** Untags or removes what {@code image} names; nothing matching is not an error. */
  public void remove(String image) {
    Optional<ImageRecord> removed = store.remove(image);
    removed.ifPresent(r -> LOG.infof("removed %s (image %s)", image, r.id()));
    Thread.startVirtualThread(this::measureStore);
  }

  /** Whether kubelet's image garbage collection must leave this image alone. */
  public boolean isPinned(ImageRecord image) {
    return image.repoTags().contains(pauseImage) || image.repoDigests().contains(pauseImage);
  }

  /** The parsed image config of a stored image. */
  public Optional<JsonNode> config(ImageRecord image) {
    return puller.config(image);
  }

  private void measureStore() {
    try {
      storeBytes.set(DiskUsage.of(imageRoot).bytes());
    } catch (RuntimeException e) {
      LOG.debugf("measuring image storage: %s", e.getMessage());
    }
  }

  private static String outcome(RuntimeException e) {
    if (e instanceof ImageNotFoundException) {
      return "not_found";
    }
    if (e instanceof RegistryAuthException) {
      return "unauthenticated";
    }
    if (e instanceof RegistryUnavailableException) {
      return "unavailable";
    }
    if (e instanceof InvalidReferenceException) {
      return "invalid_reference";
    }
    if (e instanceof BlobVerificationException) {
      return "verification_failed";
    }
    if (e instanceof UnsafeLayerException) {
      return "unsafe_layer";
    }
    return "failed";
  }
}
