package io.pier.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Unpacks one layer tarball into an empty directory as an overlayfs lower layer: {@code .wh.}
 * whiteouts become 0:0 character devices, {@code .wh..wh..opq} becomes the
 * {@code trusted.overlay.opaque} xattr, and nothing is written outside the directory.
 *
 * <p>Refused: absolute or {@code ..} entry names, entries whose path goes through a symlink
 * the layer made, relative symlinks climbing above the layer's root, and hardlinks to
 * anything outside the layer. Absolute symlink targets are kept: they are resolved inside the
 * container's root, and Pier never follows them on the host.
 */
public final class LayerUnpacker {

  private static final String WHITEOUT = ".wh.";
  private static final String OPAQUE = ".wh..wh..opq";
  private static final String XATTR_PAX = "SCHILY.xattr.";
  private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

  private LayerUnpacker() {}

  /**
   * Unpacks {@code tar} into {@code dir}; {@code layer} names the layer in errors. Reads the
   * archive to its end-of-archive marker, not necessarily to the end of the stream.
   */
  public static void unpack(InputStream tar, Path dir, String layer) throws IOException {
    new Run(dir, layer).unpack(tar);
  }

  /** The state of one unpack: which paths are symlinks, and which directory times to set. */
  private static final class Run {

    /** The layer directory everything goes below. */
    private final Path dir;
    /** The layer's name for error messages. */
    private final String layer;
    /** Paths (relative, normalised) this layer made symlinks. */
    private final Set<String> symlinks = new HashSet<>();
    /** Directories and their mtimes, applied at the end since children change them. */
    private final List<Map.Entry<Path, Instant>> dirTimes = new ArrayList<>();

    Run(Path dir, String layer) {
      this.dir = dir;
      this.layer = layer;
    }

    void unpack(InputStream in) throws IOException {
      TarArchiveInputStream tar = new TarArchiveInputStream(in, 64 * 1024, "UTF-8");
      byte[] buffer = new byte[128 * 1024];
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        String name = clean(entry.getName(), entry.getName());
        if (name.isEmpty()) {
          continue;
        }
        checkParents(name, entry.getName());
        Path target = dir.resolve(name);
        String base = target.getFileName().toString();
        if (base.startsWith(WHITEOUT)) {
          whiteout(target, base, entry.getName());
          continue;
        }
        Files.createDirectories(target.getParent());
        if (entry.isDirectory()) {
          if (Files.exists(target, NOFOLLOW) && !Files.isDirectory(target, NOFOLLOW)) {
            delete(target);
          }
          if (!Files.exists(target, NOFOLLOW)) {
            Files.createDirectory(target);
          }
          symlinks.remove(name);
          attributes(target, entry, false);
          dirTimes.add(Map.entry(target, entry.getLastModifiedTime().toInstant()));
          continue;
        }
        delete(target);
        symlinks.remove(name);
        if (entry.isSymbolicLink()) {
          checkSymlink(name, entry.getLinkName(), entry.getName());
          Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
          symlinks.add(name);
          attributes(target, entry, true);
        } else if (entry.isLink()) {
          String source = clean(entry.getLinkName(), entry.getName());
          checkParents(source, entry.getName());
          Path sourcePath = dir.resolve(source);
          if (!Files.exists(sourcePath, NOFOLLOW)) {
            throw new ImageException("layer " + layer + ": hardlink \"" + entry.getName()
                + "\" points to \"" + entry.getLinkName() + "\", which the layer lacks");
          }
          Files.createLink(target, sourcePath);
          continue;
        } else if (entry.isCharacterDevice() || entry.isBlockDevice()) {
          Native.mknod(target, entry.isCharacterDevice() ? Native.S_IFCHR : Native.S_IFBLK,
              entry.getMode(), entry.getDevMajor(), entry.getDevMinor());
          attributes(target, entry, false);
        } else if (entry.isFIFO()) {
          Native.mknod(target, Native.S_IFIFO, entry.getMode(), 0, 0);
          attributes(target, entry, false);
        } else if (entry.isFile()) {
          try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
              StandardOpenOption.WRITE)) {
            int n;
            while ((n = tar.read(buffer)) > 0) {
              out.write(buffer, 0, n);
            }
          }
          attributes(target, entry, false);
        } else {
          // Limitation: sparse files and other rare entry types are skipped.
          continue;
        }
        xattrs(target, entry);
      }
      for (int i = dirTimes.size() - 1; i >= 0; i--) {
        Map.Entry<Path, Instant> d = dirTimes.get(i);
        Native.setMtime(d.getKey(), d.getValue().getEpochSecond(), d.getValue().getNano());
      }
    }

    /** Normalises an entry name: no leading {@code ./} or {@code /}, no {@code ..}. */
    private String clean(String raw, String entryName) {
      if (raw.startsWith("/")) {
        throw new UnsafeLayerException(layer, entryName, "absolute path " + raw);
      }
      List<String> parts = new ArrayList<>();
      for (String part : raw.split("/")) {
        if (part.isEmpty() || part.equals(".")) {
          continue;
        }
        if (part.equals("..")) {
          throw new UnsafeLayerException(layer, entryName, "path " + raw + " contains ..");
        }
        parts.add(part);
      }
      return String.join("/", parts);
    }

    /** Refuses a path whose parent directories include a symlink this layer made. */
    private void checkParents(String name, String entryName) {
      int slash = name.indexOf('/');
      while (slash > 0) {
        String parent = name.substring(0, slash);
        if (symlinks.contains(parent)) {
          throw new UnsafeLayerException(layer, entryName, "path goes through symlink "
              + parent);
        }
        slash = name.indexOf('/', slash + 1);
      }
    }

    /** Refuses a relative symlink whose target climbs above the layer's root. */
    private void checkSymlink(String name, String linkTarget, String entryName) {
      if (linkTarget.startsWith("/")) {
        return;
      }
      int depth = name.split("/").length - 1;
      for (String part : linkTarget.split("/")) {
        if (part.equals("..")) {
          depth--;
          if (depth < 0) {
            throw new UnsafeLayerException(layer, entryName, "symlink target " + linkTarget
                + " points outside the layer");
          }
        } else if (!part.isEmpty() && !part.equals(".")) {
          depth++;
        }
      }
    }

    private void whiteout(Path target, String base, String entryName) throws IOException {
      Path parent = target.getParent();
      Files.createDirectories(parent);
      if (base.equals(OPAQUE)) {
        Native.lsetxattr(parent, "trusted.overlay.opaque", "y".getBytes(StandardCharsets.UTF_8));
        return;
      }
      String hidden = base.substring(WHITEOUT.length());
      if (hidden.isEmpty() || hidden.equals("..") || hidden.equals(".")) {
        throw new UnsafeLayerException(layer, entryName, "malformed whiteout");
      }
      Path gone = parent.resolve(hidden);
      delete(gone);
      Native.mknod(gone, Native.S_IFCHR, 0, 0, 0);
    }

    private void attributes(Path target, TarArchiveEntry entry, boolean symlink)
        throws IOException {
      Instant mtime = entry.getLastModifiedTime().toInstant();
      Native.setAttributes(target, (int) entry.getLongUserId(), (int) entry.getLongGroupId(),
          entry.getMode(), mtime.getEpochSecond(), mtime.getNano(), symlink);
    }

    private void xattrs(Path target, TarArchiveEntry entry) throws IOException {
      for (Map.Entry<String, String> h : entry.getExtraPaxHeaders().entrySet()) {
        if (h.getKey().startsWith(XATTR_PAX)) {
          // Limitation: commons-compress decodes PAX values as UTF-8, so binary xattr values
          // (security.capability) that are not valid UTF-8 are not restored byte for byte.
          Native.lsetxattr(target, h.getKey().substring(XATTR_PAX.length()),
              h.getValue().getBytes(StandardCharsets.UTF_8));
        }
      }
    }
  }

  /** Deletes a path and, for a directory, everything below it; a missing path is fine. */
  static void delete(Path path) throws IOException {
    if (!Files.exists(path, NOFOLLOW)) {
      return;
    }
    if (!Files.isDirectory(path, NOFOLLOW)) {
      Files.delete(path);
      return;
    }
    Files.walkFileTree(path, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw e;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        try {
          Files.deleteIfExists(d);
        } catch (DirectoryNotEmptyException retry) {
          delete(d);
        }
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
