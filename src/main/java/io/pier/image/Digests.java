package io.pier.image;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** SHA-256 digests in their {@code sha256:<hex>} form. */
public final class Digests {

  private static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}");

  private Digests() {}

  /** A fresh SHA-256 message digest. */
  static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The digest of {@code bytes}. */
  public static String sha256(byte[] bytes) {
    return format(newSha256().digest(bytes));
  }

  /** {@code sha256:<hex>} of a finished digest. */
  static String format(byte[] hash) {
    return "sha256:" + HexFormat.of().formatHex(hash);
  }

  /** The hex part of a digest, after checking its shape (it names files). */
  public static String hex(String digest) {
    if (!DIGEST.matcher(digest).matches()) {
      throw new ImageException("unsupported or malformed digest \"" + digest + "\"");
    }
    return digest.substring("sha256:".length());
  }

  /** Whether {@code text} is a well-formed sha256 digest. */
  public static boolean isDigest(String text) {
    return DIGEST.matcher(text).matches();
  }

  /** The chain ID of a layer on top of {@code parentChainId} (OCI image spec). */
  static String chain(String parentChainId, String diffId) {
    return sha256((parentChainId + " " + diffId).getBytes(StandardCharsets.UTF_8));
  }
}
