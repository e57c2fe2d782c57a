package io.pier.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pier.state.StateDirectories;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The images pierd holds: records under {@code <root>/images/records/<id>.json}, written
 * atomically, with their blobs and layers in a {@link LayerStore}. Lookups accept an image ID
 * (full, without {@code sha256:}, or a unique prefix), a tagged name, or a name with digest.
 */
@ApplicationScoped
public class ImageStore {

  private static final Logger LOG = Logger.getLogger(ImageStore.class);
  private static final int MIN_ID_PREFIX = 3;

  /** {@code images/records}. */
  private final Path records;
  /** Where containers' overlay mounts record the layers they use. */
  private final Path containers;
  /** Blobs and unpacked layers. */
  private final LayerStore layers;
  /** Records by image ID, in insertion order. */
  private final Map<String, ImageRecord> images = new LinkedHashMap<>();
  /** Chain IDs and blob digests that pulls in progress rely on; GC keeps them. */
  private final Map<String, Integer> pinned = new LinkedHashMap<>();
  private final ObjectMapper json = new ObjectMapper();

  @Inject
  ImageStore(StateDirectories dirs) {
    this(dirs.imageStore(), dirs.containerStore());
  }

  /** Opens the store under {@code imagesRoot}, loading every record found there. */
  public ImageStore(Path imagesRoot, Path containerStore) {
    this.records = imagesRoot.resolve("records");
    this.containers = containerStore;
    this.layers = new LayerStore(imagesRoot);
    try {
      Files.createDirectories(records);
      try (Stream<Path> leftovers = Files.list(records)) {
        for (Path p : leftovers.filter(f -> f.getFileName().toString().startsWith(".record-"))
            .toList()) {
          Files.deleteIfExists(p);
        }
      }
      try (Stream<Path> list = Files.list(records)) {
        for (Path p : list.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
          try {
            ImageRecord r = json.readValue(p.toFile(), ImageRecord.class);
            images.put(r.id(), r);
          } catch (IOException e) {
            LOG.warnf("ignoring unreadable image record %s: %s", p, e.getMessage());
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("loading image records from " + records, e);
    }
    LOG.debugf("image store %s holds %d images", imagesRoot, images.size());
  }

  /** The blobs and layers. */
  public LayerStore layers() {
    return layers;
  }

  /** Every image. */
  public synchronized List<ImageRecord> list() {
    return List.copyOf(images.values());
  }

  /** The image a reference or ID names. */
  public synchronized Optional<ImageRecord> find(String text) {
    String t = text.strip();
    if (t.isEmpty()) {
      return Optional.empty();
    }
    String id = t.startsWith("sha256:") ? t : "sha256:" + t;
    if (images.containsKey(id)) {
      return Optional.of(images.get(id));
    }
    if (t.matches("(sha256:)?[a-f0-9]+") && t.replace("sha256:", "").length() >= MIN_ID_PREFIX) {
      List<ImageRecord> matches = images.values().stream()
          .filter(r -> r.id().startsWith(id)).toList();
      if (matches.size() == 1) {
        return Optional.of(matches.get(0));
      }
    }
    ImageReference ref;
    try {
      ref = ImageReference.parse(t);
    } catch (InvalidReferenceException e) {
      return Optional.empty();
    }
    if (ref.digest().isPresent()) {
      String wanted = ref.withDigest(ref.digest().get());
      return images.values().stream().filter(r -> r.repoDigests().contains(wanted)).findFirst();
    }
    String wanted = ref.tagged().orElseThrow();
    return images.values().stream().filter(r -> r.repoTags().contains(wanted)).findFirst();
  }

  /**
   * Adds a pulled image (or merges names into the same image already held) and moves its
   * tags away from any other image; persisted before it becomes visible.
   */
  public synchronized ImageRecord add(ImageRecord pulled) {
    ImageRecord record = images.containsKey(pulled.id())
        ? images.get(pulled.id()).merge(pulled) : pulled;
    for (ImageRecord other : List.copyOf(images.values())) {
      if (other.id().equals(record.id())) {
        continue;
      }
      ImageRecord untagged = other;
      for (String tag : record.repoTags()) {
        untagged = untagged.withoutTag(tag);
      }
      if (untagged != other) {
        save(untagged);
        images.put(untagged.id(), untagged);
      }
    }
    save(record);
    images.put(record.id(), record);
    return record;
  }

  /**
   * Removes what {@code text} names, as cri-o does: a tag of an image with other tags only
   * loses that tag; an ID, a digest or an image's last tag removes the image, and then its
   * layers and blobs that no other image or container uses.
   *
   * @return the image that was untagged or removed, empty when none matched
   */
  public synchronized Optional<ImageRecord> remove(String text) {
    Optional<ImageRecord> found = find(text);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    ImageRecord record = found.get();
    Optional<String> tag = tagNamed(text);
    if (tag.isPresent() && record.repoTags().contains(tag.get())
        && record.repoTags().size() > 1) {
      ImageRecord untagged = record.withoutTag(tag.get());
      save(untagged);
      images.put(untagged.id(), untagged);
      return Optional.of(untagged);
    }
    try {
      Files.deleteIfExists(records.resolve(Digests.hex(record.id()) + ".json"));
    } catch (IOException e) {
      throw new UncheckedIOException("removing image record " + record.id(), e);
    }
    images.remove(record.id());
    collectGarbage();
    return Optional.of(record);
  }

  /** Keeps chain IDs and digests from garbage collection while a pull uses them. */
  public synchronized void pin(Collection<String> keys) {
    keys.forEach(k -> pinned.merge(k, 1, Integer::sum));
  }

  /** Releases what {@link #pin} kept. */
  public synchronized void unpin(Collection<String> keys) {
    keys.forEach(k -> pinned.computeIfPresent(k, (x, n) -> n == 1 ? null : n - 1));
  }

  /** The unpacked layer directories of an image, topmost first (overlay's lowerdir order). */
  public List<Path> layerDirectories(ImageRecord image) {
    List<Path> dirs = new ArrayList<>();
    for (String chainId : image.chainIds().reversed()) {
      dirs.add(layers.layer(chainId).orElseThrow(() -> new ImageException("image "
          + image.id() + " is missing its layer " + chainId + "; pull it again")));
    }
    return dirs;
  }

  /** Deletes layers and blobs that no image, pinned pull or container rootfs uses. */
  private void collectGarbage() {
    Set<String> keep = new HashSet<>(pinned.keySet());
    for (ImageRecord r : images.values()) {
      keep.add(r.id());
      keep.addAll(r.manifestDigests());
      keep.addAll(r.layerDigests());
      keep.addAll(r.chainIds());
    }
    keep.addAll(ContainerRootfs.layersInUse(containers));
    try {
      for (String chainId : layers.layerIds()) {
        if (!keep.contains(chainId)) {
          layers.deleteLayer(chainId);
        }
      }
      for (String digest : layers.blobDigests()) {
        if (!keep.contains(digest)) {
          layers.deleteBlob(digest);
        }
      }
    } catch (IOException e) {
      LOG.warnf("could not remove unused layers: %s", e.getMessage());
    }
  }

  private static Optional<String> tagNamed(String text) {
    try {
      ImageReference ref = ImageReference.parse(text);
      return ref.digest().isPresent() ? Optional.empty() : ref.tagged();
    } catch (InvalidReferenceException e) {
      return Optional.empty();
    }
  }

  /** Writes a record to a temporary file, syncs it, and renames it over the old one. */
  private void save(ImageRecord record) {
    Path target = records.resolve(Digests.hex(record.id()) + ".json");
    try {
      Path temp = Files.createTempFile(records, ".record-", ".tmp");
      try {
        Files.write(temp, json.writeValueAsBytes(record));
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
          ch.force(true);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("saving image record " + record.id(), e);
    }
  }
}
