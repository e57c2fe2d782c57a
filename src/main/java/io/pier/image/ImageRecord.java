package io.pier.image;

import java.util.ArrayList;
import java.util.List;

/**
 * A stored image as pierd remembers it across restarts.
 *
 * @param id the config digest, which is the image ID
 * @param repoTags names with tags that point at this image
 * @param repoDigests names with the manifest (or index) digest they were pulled by
 * @param size bytes of the image's config and compressed layers, as registries count them
 * @param user the config's {@code User}, empty when the image does not set one
 * @param manifestDigests the index and manifest blobs this image was resolved through
 * @param layerDigests the compressed layer blobs, bottom first
 * @param diffIds the uncompressed layer digests, bottom first
 * @param chainIds the layers' chain IDs, bottom first; each names an unpacked directory
 * @param pulledAt when the image was last pulled, in epoch milliseconds
 */
public record ImageRecord(String id, List<String> repoTags, List<String> repoDigests,
    long size, String user, List<String> manifestDigests, List<String> layerDigests,
    List<String> diffIds, List<String> chainIds, long pulledAt) {

  /** A copy with immutable lists. */
  public ImageRecord {
    repoTags = List.copyOf(repoTags);
    repoDigests = List.copyOf(repoDigests);
    manifestDigests = List.copyOf(manifestDigests);
    layerDigests = List.copyOf(layerDigests);
    diffIds = List.copyOf(diffIds);
    chainIds = List.copyOf(chainIds);
  }

  /** This record with {@code other}'s names and blobs added (the same image pulled again). */
  ImageRecord merge(ImageRecord other) {
    return new ImageRecord(id, union(repoTags, other.repoTags),
        union(repoDigests, other.repoDigests), size, user,
        union(manifestDigests, other.manifestDigests), layerDigests, diffIds, chainIds,
        Math.max(pulledAt, other.pulledAt));
  }

  /** This record without the tag {@code tag}. */
  ImageRecord withoutTag(String tag) {
    List<String> tags = new ArrayList<>(repoTags);
    tags.remove(tag);
    return new ImageRecord(id, tags, repoDigests, size, user, manifestDigests, layerDigests,
        diffIds, chainIds, pulledAt);
  }

  private static List<String> union(List<String> a, List<String> b) {
    List<String> result = new ArrayList<>(a);
    for (String s : b) {
      if (!result.contains(s)) {
        result.add(s);
      }
    }
    return result;
  }
}
