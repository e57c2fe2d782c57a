package io.pier.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Builds layer tarballs in memory for tests, including ones no honest tool would write. */
final class Layers {

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes);

  Layers() {
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
  }

  Layers file(String name, String content) throws IOException {
    byte[] data = content.getBytes(StandardCharsets.UTF_8);
    TarArchiveEntry e = new TarArchiveEntry(name, true);
    e.setSize(data.length);
    e.setMode(0100644);
    tar.putArchiveEntry(e);
    tar.write(data);
    tar.closeArchiveEntry();
    return this;
  }

  Layers dir(String name) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/", true);
    e.setMode(040755);
    tar.putArchiveEntry(e);
    tar.closeArchiveEntry();
    return this;
  }

  Layers symlink(String name, String target) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK, true);
    e.setLinkName(target);
    tar.putArchiveEntry(e);
    tar.closeArchiveEntry();
    return this;
  }

  Layers hardlink(String name, String target) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_LINK, true);
    e.setLinkName(target);
    tar.putArchiveEntry(e);
    tar.closeArchiveEntry();
    return this;
  }

  /** The uncompressed tarball. */
  byte[] tar() throws IOException {
    tar.finish();
    tar.close();
    return bytes.toByteArray();
  }

  /** {@code tar} gzipped. */
  static byte[] gzip(byte[] tar) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(tar);
    }
    return out.toByteArray();
  }
}
