package io.pier.image;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A normalised image reference: registry host, repository path, and a tag or a digest (or
 * both), as {@code docker.io/library/busybox:latest} or {@code host:5000/app@sha256:...}.
 */
public record ImageReference(String registry, String repository, Optional<String> tag,
    Optional<String> digest) {

  /** The registry short names resolve to. */
  public static final String DEFAULT_REGISTRY = "docker.io";

  private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  private static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}");

  /**
   * Parses and normalises a reference the way kubelet users expect: no registry means
   * {@code docker.io}, a single-component name on docker.io lives under {@code library/},
   * and a reference without tag or digest means {@code :latest}.
   */
  public static ImageReference parse(String text) {
    String rest = text.strip();
    if (rest.isEmpty()) {
      throw new InvalidReferenceException(text, "empty image reference");
    }
    Optional<String> digest = Optional.empty();
    int at = rest.indexOf('@');
    if (at >= 0) {
      String d = rest.substring(at + 1);
      if (!DIGEST.matcher(d).matches()) {
        throw new InvalidReferenceException(text, "invalid digest " + d);
      }
      digest = Optional.of(d);
      rest = rest.substring(0, at);
    }
    Optional<String> tag = Optional.empty();
    int colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      String t = rest.substring(colon + 1);
      if (!TAG.matcher(t).matches()) {
        throw new InvalidReferenceException(text, "invalid tag " + t);
      }
      tag = Optional.of(t);
      rest = rest.substring(0, colon);
    }
    String registry = DEFAULT_REGISTRY;
    String repository = rest;
    int slash = rest.indexOf('/');
    if (slash > 0) {
      String first = rest.substring(0, slash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
        registry = first;
        repository = rest.substring(slash + 1);
      }
    }
    if (registry.equals("index.docker.io") || registry.equals("registry-1.docker.io")) {
      registry = DEFAULT_REGISTRY;
    }
    if (registry.equals(DEFAULT_REGISTRY) && !repository.contains("/")) {
      repository = "library/" + repository;
    }
    for (String component : repository.split("/", -1)) {
      if (!COMPONENT.matcher(component).matches()) {
        throw new InvalidReferenceException(text, "invalid repository name " + repository);
      }
    }
    if (tag.isEmpty() && digest.isEmpty()) {
      tag = Optional.of("latest");
    }
    return new ImageReference(registry, repository, tag, digest);
  }

  /** Whether {@code text} has the shape of a reference (and not, say, a bare image ID). */
  public static boolean looksLikeReference(String text) {
    try {
      parse(text);
      return true;
    } catch (InvalidReferenceException e) {
      return false;
    }
  }

  /** {@code registry/repository}, without tag or digest. */
  public String name() {
    return registry + "/" + repository;
  }

  /** The tag or digest the registry is asked for: the digest when both are given. */
  public String manifestReference() {
    return digest.orElseGet(tag::orElseThrow);
  }

  /** {@code name:tag}, when the reference has a tag. */
  public Optional<String> tagged() {
    return tag.map(t -> name() + ":" + t);
  }

  /** This name with {@code digest}, as recorded in an image's repo digests. */
  public String withDigest(String manifestDigest) {
    return name() + "@" + manifestDigest;
  }

  @Override
  public String toString() {
    return name() + tag.map(t -> ":" + t).orElse("") + digest.map(d -> "@" + d).orElse("");
  }
}
