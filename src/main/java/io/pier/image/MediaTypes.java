package io.pier.image;

/** The manifest and layer media types of OCI and Docker schema 2. */
final class MediaTypes {

  static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  static final String DOCKER_LIST =
      "application/vnd.docker.distribution.manifest.list.v2+json";
  static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";

  private MediaTypes() {}

  /** Whether a media type names an image index or manifest list. */
  static boolean isIndex(String type) {
    return OCI_INDEX.equals(type) || DOCKER_LIST.equals(type);
  }

  /** Whether a media type names a single-platform image manifest. */
  static boolean isManifest(String type) {
    return OCI_MANIFEST.equals(type) || DOCKER_MANIFEST.equals(type);
  }
}
