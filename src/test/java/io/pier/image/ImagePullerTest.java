package io.pier.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Pulls from docker-registry on loopback into a private store, checked on disk. */
class ImagePullerTest {

  private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

  private TestRegistries registries;
  private Path root;
  private ImageStore store;
  private ImagePuller puller;

  @BeforeEach
  void open() throws Exception {
    registries = TestRegistries.get();
    root = Path.of("target/image-tests/puller").toAbsolutePath();
    LayerUnpacker.delete(root);
    store = new ImageStore(root.resolve("images"), root.resolve("containers"));
    puller = puller(List.of());
  }

  @AfterEach
  void clean() throws Exception {
    LayerUnpacker.delete(root);
  }

  private ImagePuller puller(List<String> mirrors) {
    return new ImagePuller(new RegistryHosts(mirrors, List.of(registries.open, registries.auth)),
        new RegistryClient(), store);
  }

  private ImageRecord pull(String ref) {
    return puller.pull(ImageReference.parse(ref), RegistryCredentials.NONE).image();
  }

  @Test
  void multiLayerImageOverlaysToTheExpectedTree() throws Exception {
    ImageRecord image = pull(registries.open + "/pier-test/layers:latest");
    assertEquals(4, image.chainIds().size());
    ContainerRootfs rootfs = new ContainerRootfs(root.resolve("containers"), store);

    ContainerRootfs.Mount mount = rootfs.mount("c1", image.id());
    try {
      Path r = mount.rootfs();
      assertTrue(ContainerRootfs.isMounted(r));
      assertEquals("keep\n", Files.readString(r.resolve("data/keep.txt")));
      assertFalse(Files.exists(r.resolve("data/remove.txt"), NOFOLLOW), "whiteout hides file");
      assertFalse(Files.exists(r.resolve("gone-dir"), NOFOLLOW), "whiteout hides directory");
      assertFalse(Files.exists(r.resolve("opq/old.txt"), NOFOLLOW), "opaque dir hides lower");
      assertFalse(Files.exists(r.resolve("opq/sub"), NOFOLLOW), "opaque dir hides lower");
      assertEquals("new\n", Files.readString(r.resolve("opq/new.txt")));
      assertEquals("v2\n", Files.readString(r.resolve("data/override.txt")));
      assertEquals("plain\n", Files.readString(r.resolve("data/plain.txt")));
      assertEquals(Files.getAttribute(r.resolve("data/hard1"), "unix:ino"),
          Files.getAttribute(r.resolve("data/hard2"), "unix:ino"), "hardlinks share an inode");
      assertEquals(2, Files.getAttribute(r.resolve("data/hard1"), "unix:nlink"));
      assertEquals(Path.of("keep.txt"), Files.readSymbolicLink(r.resolve("data/link")));
      assertEquals(Path.of("/data/keep.txt"), Files.readSymbolicLink(r.resolve("data/abslink")));
      assertEquals(Path.of("busybox"), Files.readSymbolicLink(r.resolve("bin/sh")));
      assertTrue((int) Files.getAttribute(r.resolve("data/fifo"), "unix:mode", NOFOLLOW)
          == 0010644, "fifo");
      assertEquals(0020666, Files.getAttribute(r.resolve("data/null"), "unix:mode", NOFOLLOW));
      assertEquals((1L << 8) | 3L, ((Number) Files.getAttribute(r.resolve("data/null"),
          "unix:rdev", NOFOLLOW)).longValue());
      assertEquals(0104755, Files.getAttribute(r.resolve("data/suid"), "unix:mode"));
      assertEquals(1000, Files.getAttribute(r.resolve("data/suid"), "unix:uid"));
      assertEquals(1000, Files.getAttribute(r.resolve("data/suid"), "unix:gid"));
      assertEquals("rwx------", PosixFilePermissions.toString(
          Files.getPosixFilePermissions(r.resolve("data/private"))));
      assertEquals(FileTime.fromMillis(1_000_000_000_000L),
          Files.getLastModifiedTime(r.resolve("data/mtime.txt")));
      assertEquals("yes", new String(Native.lgetxattr(r.resolve("data/xattr.txt"), "user.pier"),
          StandardCharsets.UTF_8));
      assertEquals(041777, Files.getAttribute(r.resolve("tmp"), "unix:mode"), "sticky /tmp");

      Files.writeString(r.resolve("data/written.txt"), "upper\n");
      assertTrue(Files.exists(mount.upper().resolve("data/written.txt")), "writes go up");
      for (Path lower : store.layerDirectories(image)) {
        assertFalse(Files.exists(lower.resolve("data/written.txt")));
      }
    } finally {
      rootfs.remove("c1");
    }
    assertFalse(ContainerRootfs.isMounted(mount.rootfs()));
    assertFalse(Files.exists(root.resolve("containers/c1")), "container directory left");
  }

  @Test
  void busyboxRootfsRunsAShell() throws Exception {
    ImageRecord image = pull(registries.open + "/pier-test/busybox-user");
    ContainerRootfs rootfs = new ContainerRootfs(root.resolve("containers"), store);
    ContainerRootfs.Mount mount = rootfs.mount("c3", registries.open + "/pier-test/busybox-user");
    try {
      assertEquals(mount, rootfs.mount("c3", image.id()), "mounting twice is one mount");

      String out = TestRegistries.run(List.of("chroot", "--userspec=" + image.user(),
          mount.rootfs().toString(), "/bin/sh", "-c", "id -un; echo hi > /tmp/x; cat /tmp/x"));

      assertEquals("pier\nhi\n", out);
      assertTrue(Files.exists(mount.upper().resolve("tmp/x")));
    } finally {
      rootfs.remove("c3");
    }
  }

  @Test
  void layerDirectoriesHoldOverlayWhiteouts() throws Exception {
    ImageRecord image = pull(registries.open + "/pier-test/layers:latest");
    Path whiteoutLayer = store.layers().layer(image.chainIds().get(2)).orElseThrow();

    assertEquals(0020000, Files.getAttribute(whiteoutLayer.resolve("data/remove.txt"),
        "unix:mode", NOFOLLOW));
    assertEquals(0L, ((Number) Files.getAttribute(whiteoutLayer.resolve("data/remove.txt"),
        "unix:rdev", NOFOLLOW)).longValue());
    assertEquals("y", new String(Native.lgetxattr(whiteoutLayer.resolve("opq"),
        "trusted.overlay.opaque"), StandardCharsets.UTF_8));
    assertFalse(Files.exists(whiteoutLayer.resolve("opq/.wh..wh..opq"), NOFOLLOW));
  }

  @Test
  void identicalLayersAreStoredOnce() throws Exception {
    ImageRecord busybox = pull(registries.open + "/pier-test/busybox");
    ImageRecord layers = pull(registries.open + "/pier-test/layers");

    assertEquals(busybox.chainIds().get(0), layers.chainIds().get(0));
    try (Stream<Path> dirs = Files.list(root.resolve("images/layers"))) {
      assertEquals(4, dirs.count());
    }
  }

  @Test
  void concurrentPullsOfOneImageUnpackEachLayerOnce() throws Exception {
    String ref = registries.open + "/pier-test/layers";
    try (var pool = java.util.concurrent.Executors.newFixedThreadPool(3)) {
      List<java.util.concurrent.Future<ImageRecord>> pulls = new java.util.ArrayList<>();
      for (int i = 0; i < 3; i++) {
        pulls.add(pool.submit(() -> pull(ref)));
      }
      String id = pulls.get(0).get().id();
      for (var p : pulls) {
        assertEquals(id, p.get().id());
      }
    }
    assertEquals(1, store.list().size());
    try (Stream<Path> dirs = Files.list(root.resolve("images/layers"));
        Stream<Path> tmp = Files.list(root.resolve("images/tmp"))) {
      assertEquals(4, dirs.count());
      assertEquals(0, tmp.count());
    }
  }

  @Test
  void indexResolvesToTheHostPlatform() throws Exception {
    ImagePuller.Result result = puller.pull(
        ImageReference.parse(registries.open + "/pier-test/multiarch"), RegistryCredentials.NONE);

    Path top = store.layers().layer(result.image().chainIds().getLast()).orElseThrow();
    assertEquals(ImagePuller.hostArchitecture() + "\n",
        Files.readString(top.resolve("platform")));
    assertEquals(2, result.image().manifestDigests().size());
    assertEquals(result.image().manifestDigests().get(0), result.resolvedDigest());
    assertEquals(List.of(registries.open + "/pier-test/multiarch@" + result.resolvedDigest()),
        result.image().repoDigests());
  }

  @Test
  void pullByDigestRecordsTheDigest() {
    ImagePuller.Result byTag = puller.pull(
        ImageReference.parse(registries.open + "/pier-test/busybox"), RegistryCredentials.NONE);
    String byDigestRef = registries.open + "/pier-test/busybox@" + byTag.resolvedDigest();
    store.remove(byTag.image().id());

    ImageRecord image = pull(byDigestRef);

    assertEquals(byTag.image().id(), image.id());
    assertEquals(List.of(), image.repoTags());
    assertEquals(List.of(byDigestRef), image.repoDigests());
    assertEquals(image.id(), store.find(byDigestRef).orElseThrow().id());
  }

  @Test
  void deadMirrorFallsBackToTheOrigin() throws Exception {
    String dead = "127.0.0.1:" + TestRegistries.freePort();
    puller = puller(List.of(registries.open + "=" + dead));

    ImageRecord image = pull(registries.open + "/pier-test/busybox");

    assertEquals(List.of(registries.open + "/pier-test/busybox:latest"), image.repoTags());
  }

  @Test
  void mirrorServesShortNames() {
    puller = puller(List.of("docker.io=" + registries.open));

    ImageRecord image = pull("busybox");

    assertEquals(List.of("docker.io/library/busybox:latest"), image.repoTags());
    assertEquals(image.id(), store.find("busybox").orElseThrow().id());
  }

  @Test
  void authRegistryAcceptsTheRightPasswordOnly() {
    ImageReference ref = ImageReference.parse(registries.auth + "/pier-test/busybox-uid");

    RegistryAuthException anonymous = assertThrows(RegistryAuthException.class,
        () -> puller.pull(ref, RegistryCredentials.NONE));
    RegistryAuthException wrong = assertThrows(RegistryAuthException.class,
        () -> puller.pull(ref, RegistryCredentials.of(TestRegistries.USER, "wrong-password", "",
            "", "")));
    assertFalse(wrong.getMessage().contains("wrong-password"), wrong.getMessage());
    assertTrue(wrong.getMessage().contains(registries.auth), wrong.getMessage());
    assertTrue(anonymous.getMessage().contains("requires credentials")
        || anonymous.getMessage().contains("without credentials"), anonymous.getMessage());
    assertTrue(store.list().isEmpty());

    ImageRecord image = puller.pull(ref, RegistryCredentials.of("", "", java.util.Base64
        .getEncoder().encodeToString((TestRegistries.USER + ":" + TestRegistries.PASSWORD)
            .getBytes(StandardCharsets.UTF_8)), "", "")).image();
    assertEquals("1000:1000", image.user());
  }

  @Test
  void unknownImageIsNotFoundAndDownRegistryUnavailable() throws Exception {
    ImageNotFoundException missing = assertThrows(ImageNotFoundException.class,
        () -> pull(registries.open + "/pier-test/nothing:here"));
    assertTrue(missing.getMessage().contains(registries.open + "/pier-test/nothing:here"),
        missing.getMessage());

    String dead = "127.0.0.1:" + TestRegistries.freePort();
    puller = new ImagePuller(new RegistryHosts(List.of(), List.of(dead)), new RegistryClient(),
        store);
    RegistryUnavailableException down = assertThrows(RegistryUnavailableException.class,
        () -> pull(dead + "/pier-test/busybox"));
    assertTrue(down.getMessage().contains(dead), down.getMessage());
  }

  @Test
  void storeReopenedOverTheSameRootKeepsImages() {
    ImageRecord image = pull(registries.open + "/pier-test/busybox-user");

    ImageStore reopened = new ImageStore(root.resolve("images"), root.resolve("containers"));

    assertEquals(Optional.of(image), reopened.find(registries.open + "/pier-test/busybox-user"));
    assertEquals("pier", reopened.find(image.id()).orElseThrow().user());
    assertTrue(reopened.layers().layer(image.chainIds().get(0)).isPresent());
  }

  @Test
  void removingByTagUntagsAndTheLastNameDeletes() throws Exception {
    ImageRecord uid = pull(registries.open + "/pier-test/busybox-uid");
    ImageRecord user = pull(registries.open + "/pier-test/busybox-user");
    assertNotEquals(uid.id(), user.id());
    ImageRecord twice = pull(registries.open + "/library/busybox");
    pull(registries.open + "/pier-test/busybox");
    assertEquals(2, store.find(twice.id()).orElseThrow().repoTags().size());

    store.remove(registries.open + "/library/busybox:latest");
    assertEquals(List.of(registries.open + "/pier-test/busybox:latest"),
        store.find(twice.id()).orElseThrow().repoTags());

    store.remove(registries.open + "/pier-test/busybox:latest");
    assertTrue(store.find(twice.id()).isEmpty());
    assertTrue(store.layers().hasBlob(uid.layerDigests().get(0)), "shared layer kept");

    store.remove(uid.id().substring(7, 19));
    store.remove(user.repoDigests().get(0));
    assertTrue(store.list().isEmpty());
    try (Stream<Path> layers = Files.list(root.resolve("images/layers"));
        Stream<Path> blobs = Files.list(root.resolve("images/blobs/sha256"))) {
      assertEquals(0, layers.count());
      assertEquals(0, blobs.count());
    }
    assertTrue(store.remove(uid.id()).isEmpty(), "removing twice is fine");
  }

  @Test
  void removedImageKeepsLayersAMountedContainerUses() throws Exception {
    ImageRecord image = pull(registries.open + "/pier-test/busybox");
    ContainerRootfs rootfs = new ContainerRootfs(root.resolve("containers"), store);
    ContainerRootfs.Mount mount = rootfs.mount("c2", image.id());
    try {
      store.remove(image.id());

      assertTrue(store.layers().layer(image.chainIds().get(0)).isPresent());
      assertTrue(Files.isRegularFile(mount.rootfs().resolve("bin/busybox")));
    } finally {
      rootfs.remove("c2");
    }
  }
}
