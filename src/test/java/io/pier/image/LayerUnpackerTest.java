package io.pier.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Malicious and broken layers are refused and leave the store as it was. */
class LayerUnpackerTest {

  private Path root;
  private Path canary;
  private LayerStore store;

  @BeforeEach
  void open() throws Exception {
    root = Path.of("target/image-tests/unpacker").toAbsolutePath();
    LayerUnpacker.delete(root);
    canary = Files.createDirectories(root.resolve("outside"));
    store = new LayerStore(root.resolve("images"));
  }

  @AfterEach
  void clean() throws Exception {
    LayerUnpacker.delete(root);
  }

  /** Pulls {@code blob} as a layer and expects refusal naming the layer and the entry. */
  private void assertRefused(byte[] tar, String entry, String why) throws Exception {
    byte[] blob = Layers.gzip(tar);
    String digest = Digests.sha256(blob);
    String diffId = Digests.sha256(tar);

    UnsafeLayerException e = assertThrows(UnsafeLayerException.class,
        () -> store.pullLayer(digest, blob.length, diffId, diffId,
            () -> new ByteArrayInputStream(blob)));

    assertTrue(e.getMessage().contains(digest), e.getMessage());
    assertTrue(e.getMessage().contains("\"" + entry + "\""), e.getMessage());
    assertTrue(e.getMessage().contains(why), e.getMessage());
    assertStoreEmpty();
  }

  private void assertStoreEmpty() throws Exception {
    for (String dir : new String[] {"images/layers", "images/blobs/sha256", "images/tmp"}) {
      try (Stream<Path> list = Files.list(root.resolve(dir))) {
        assertEquals("[]", Arrays.toString(list.toArray()), dir + " is empty");
      }
    }
    try (Stream<Path> list = Files.list(canary)) {
      assertEquals(0, list.count(), "nothing written outside");
    }
  }

  @Test
  void dotDotPathIsRefused() throws Exception {
    assertRefused(new Layers().file("ok.txt", "ok").file("../escape.txt", "x").tar(),
        "../escape.txt", "contains ..");
  }

  @Test
  void dotDotInsideAPathIsRefused() throws Exception {
    assertRefused(new Layers().dir("a").file("a/../../x.txt", "x").tar(), "a/../../x.txt",
        "contains ..");
  }

  @Test
  void absolutePathIsRefused() throws Exception {
    assertRefused(new Layers().file("/etc/evil.txt", "x").tar(), "/etc/evil.txt",
        "absolute path");
  }

  @Test
  void relativeSymlinkClimbingOutIsRefused() throws Exception {
    assertRefused(new Layers().dir("a").symlink("a/up", "../../etc").tar(), "a/up",
        "points outside the layer");
  }

  @Test
  void writingThroughASymlinkIsRefused() throws Exception {
    assertRefused(new Layers().symlink("out", canary.toString()).file("out/pwned", "x").tar(),
        "out/pwned", "goes through symlink out");
  }

  @Test
  void hardlinkOutsideIsRefused() throws Exception {
    assertRefused(new Layers().hardlink("h", "../../etc/passwd").tar(), "h", "contains ..");
  }

  @Test
  void hardlinkToAnAbsolutePathIsRefused() throws Exception {
    assertRefused(new Layers().hardlink("h", "/etc/passwd").tar(), "h", "absolute path");
  }

  @Test
  void hardlinkThroughASymlinkIsRefused() throws Exception {
    assertRefused(new Layers().symlink("etc", "/etc").hardlink("h", "etc/passwd").tar(), "h",
        "goes through symlink etc");
  }

  @Test
  void truncatedBlobFailsAndLeavesNothing() throws Exception {
    byte[] tar = new Layers().file("big.txt", "x".repeat(100_000)).tar();
    byte[] blob = Layers.gzip(tar);
    byte[] cut = Arrays.copyOf(blob, blob.length / 2);

    BlobVerificationException e = assertThrows(BlobVerificationException.class,
        () -> store.pullLayer(Digests.sha256(blob), blob.length, Digests.sha256(tar),
            Digests.sha256(tar), () -> new ByteArrayInputStream(cut)));

    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    assertStoreEmpty();
  }

  @Test
  void wrongDigestFailsNamingBothDigests() throws Exception {
    byte[] tar = new Layers().file("a.txt", "a").tar();
    byte[] blob = Layers.gzip(tar);
    String claimed = Digests.sha256("something else".getBytes());

    BlobVerificationException e = assertThrows(BlobVerificationException.class,
        () -> store.pullLayer(claimed, blob.length, Digests.sha256(tar), Digests.sha256(tar),
            () -> new ByteArrayInputStream(blob)));

    assertTrue(e.getMessage().contains(claimed), e.getMessage());
    assertTrue(e.getMessage().contains(Digests.sha256(blob)), e.getMessage());
    assertStoreEmpty();
  }

  @Test
  void wrongDiffIdFails() throws Exception {
    byte[] tar = new Layers().file("a.txt", "a").tar();
    byte[] blob = Layers.gzip(tar);
    String wrongDiff = Digests.sha256("other".getBytes());

    BlobVerificationException e = assertThrows(BlobVerificationException.class,
        () -> store.pullLayer(Digests.sha256(blob), blob.length, wrongDiff, wrongDiff,
            () -> new ByteArrayInputStream(blob)));

    assertTrue(e.getMessage().contains(wrongDiff), e.getMessage());
    assertStoreEmpty();
  }

  @Test
  void longerBlobThanDeclaredFails() throws Exception {
    byte[] tar = new Layers().file("a.txt", "a").tar();

    assertThrows(BlobVerificationException.class,
        () -> store.pullLayer(Digests.sha256(tar), tar.length - 512, Digests.sha256(tar),
            Digests.sha256(tar), () -> new ByteArrayInputStream(tar)));

    assertStoreEmpty();
  }

  @Test
  void honestLayerIsStoredOnceUnderItsChainId() throws Exception {
    byte[] tar = new Layers().dir("d").file("d/f.txt", "f").symlink("d/abs", "/etc/passwd")
        .tar();
    String diffId = Digests.sha256(tar);

    long first = store.pullLayer(Digests.sha256(tar), tar.length, diffId, diffId,
        () -> new ByteArrayInputStream(tar));
    long second = store.pullLayer(Digests.sha256(tar), tar.length, diffId, diffId,
        () -> { throw new AssertionError("already unpacked, not fetched again"); });

    assertEquals(tar.length, first);
    assertEquals(0, second);
    Path layer = store.layer(diffId).orElseThrow();
    assertEquals("f", Files.readString(layer.resolve("d/f.txt")));
    assertEquals(Path.of("/etc/passwd"), Files.readSymbolicLink(layer.resolve("d/abs")));
    assertTrue(store.hasBlob(Digests.sha256(tar)));
  }
}
