package io.pier.image;

/**
 * Where one attempt to pull a repository goes: a registry host, the repository's path on
 * it, whether it is spoken to over plain HTTP, and whether it is a mirror.
 */
public record RegistryEndpoint(String host, String repository, boolean plainHttp,
    boolean mirror) {

  /** {@code http(s)://host/v2/repository}, the base of every URL for this repository. */
  String base() {
    return (plainHttp ? "http://" : "https://") + host + "/v2/" + repository;
  }

  @Override
  public String toString() {
    return host + "/" + repository + (mirror ? " (mirror)" : "");
  }
}
