package io.pier.image;

import com.github.luben.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.jboss.logging.Logger;

/**
 * Blobs by digest ({@code blobs/sha256/<hex>}) and unpacked layers by chain ID
 * ({@code layers/<hex>}), both written under {@code tmp/} and renamed into place only once
 * verified, so a failed or interrupted write never leaves a visible blob or layer.
 */
public final class LayerStore {

  private static final Logger LOG = Logger.getLogger(LayerStore.class);

  /** {@code images/blobs/sha256}. */
  private final Path blobs;
  /** {@code images/layers}. */
  private final Path layers;
  /** {@code images/tmp}: partial downloads and unpacks; emptied when the store opens. */
  private final Path tmp;
  /** One lock per chain ID, so two pulls sharing a layer unpack it once. */
  private final Map<String, ReentrantLock> unpacking = new ConcurrentHashMap<>();

  /** Opens (creating if needed) the store under {@code imagesRoot}, clearing leftovers. */
  public LayerStore(Path imagesRoot) {
    this.blobs = imagesRoot.resolve("blobs").resolve("sha256");
    this.layers = imagesRoot.resolve("layers");
    this.tmp = imagesRoot.resolve("tmp");
    try {
      Files.createDirectories(blobs);
      Files.createDirectories(layers);
      LayerUnpacker.delete(tmp);
      Files.createDirectories(tmp);
    } catch (IOException e) {
      throw new UncheckedIOException("opening image storage in " + imagesRoot, e);
    }
  }

  /** The unpacked directory of a layer, if present. */
  public Optional<Path> layer(String chainId) {
    Path dir = layers.resolve(Digests.hex(chainId));
    return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
  }

  /** A blob's content, if present. */
  public Optional<byte[]> readBlob(String digest) {
    Path path = blobs.resolve(Digests.hex(digest));
    try {
      return Files.exists(path) ? Optional.of(Files.readAllBytes(path)) : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("reading blob " + digest, e);
    }
  }

  /** Whether a blob is present. */
  public boolean hasBlob(String digest) {
    return Files.exists(blobs.resolve(Digests.hex(digest)));
  }

  /** Stores a small blob (manifest, config) after checking its digest. */
  public void putBlob(byte[] bytes, String digest) {
    String actual = Digests.sha256(bytes);
    if (!actual.equals(digest)) {
      throw new BlobVerificationException("blob " + digest + " has digest " + actual);
    }
    Path target = blobs.resolve(Digests.hex(digest));
    if (Files.exists(target)) {
      return;
    }
    try {
      Path temp = Files.createTempFile(tmp, "blob-", "");
      try {
        Files.write(temp, bytes);
        moveIntoPlace(temp, target);
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("storing blob " + digest, e);
    }
  }

  /**
   * Downloads a layer blob and unpacks it in one pass, unless its chain ID is already
   * unpacked. The blob's size and digest and the layer's diff ID are all checked before
   * anything becomes visible.
   *
   * @return the compressed bytes downloaded (0 when the layer was already present)
   */
  public long pullLayer(String digest, long size, String diffId, String chainId,
      Supplier<InputStream> source) {
    ReentrantLock lock = unpacking.computeIfAbsent(chainId, k -> new ReentrantLock());
    lock.lock();
    try {
      if (layer(chainId).isPresent()) {
        return 0;
      }
      Path blobTemp = Files.createTempFile(tmp, "blob-", "");
      Path dirTemp = Files.createTempDirectory(tmp, "layer-");
      try {
        long read = download(digest, size, diffId, source, blobTemp, dirTemp);
        moveIntoPlace(blobTemp, blobs.resolve(Digests.hex(digest)));
        Files.move(dirTemp, layers.resolve(Digests.hex(chainId)), StandardCopyOption.ATOMIC_MOVE);
        return read;
      } finally {
        Files.deleteIfExists(blobTemp);
        LayerUnpacker.delete(dirTemp);
      }
    } catch (IOException e) {
      throw new ImageException("unpacking layer " + digest + ": " + e.getMessage(), e);
    } finally {
      lock.unlock();
    }
  }

  private long download(String digest, long size, String diffId, Supplier<InputStream> source,
      Path blobTemp, Path dirTemp) throws IOException {
    MessageDigest blobHash = Digests.newSha256();
    MessageDigest diffHash = Digests.newSha256();
    try (InputStream body = source.get();
        OutputStream blobOut = Files.newOutputStream(blobTemp, StandardOpenOption.WRITE);
        Tee tee = new Tee(body, blobOut, blobHash, size, digest)) {
      InputStream raw = new BufferedInputStream(tee, 128 * 1024);
      InputStream uncompressed = decompress(raw);
      DigestStream diff = new DigestStream(uncompressed, diffHash);
      try {
        LayerUnpacker.unpack(diff, dirTemp, digest);
      } catch (IOException e) {
        if (tee.count > size) {
          throw new BlobVerificationException("layer " + digest + " is larger than its "
              + size + " bytes");
        }
        if (e instanceof EOFException || tee.ended) {
          throw new BlobVerificationException("layer " + digest + " is truncated after "
              + tee.count + " of " + size + " bytes");
        }
        throw e;
      }
      diff.transferTo(OutputStream.nullOutputStream());
      raw.transferTo(OutputStream.nullOutputStream());
      if (tee.count != size) {
        throw new BlobVerificationException("layer " + digest + " has " + tee.count
            + " bytes, expected " + size);
      }
      String actual = Digests.format(blobHash.digest());
      if (!actual.equals(digest)) {
        throw new BlobVerificationException("layer blob has digest " + actual
            + ", expected " + digest);
      }
      String actualDiff = Digests.format(diffHash.digest());
      if (!actualDiff.equals(diffId)) {
        throw new BlobVerificationException("layer " + digest + " has diff ID " + actualDiff
            + ", the image config expects " + diffId);
      }
      return tee.count;
    }
  }

  /** Picks the decompressor by the stream's magic bytes: gzip, zstd or plain tar. */
  private static InputStream decompress(InputStream in) throws IOException {
    in.mark(4);
    byte[] magic = in.readNBytes(4);
    in.reset();
    if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
      return new GZIPInputStream(in, 128 * 1024);
    }
    if (magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5
        && (magic[2] & 0xff) == 0x2f && (magic[3] & 0xff) == 0xfd) {
      return new BufferedInputStream(new ZstdInputStream(in), 128 * 1024);
    }
    return in;
  }

  /** Deletes a layer's directory (renamed away first, so no half-deleted layer is seen). */
  void deleteLayer(String chainId) throws IOException {
    Path dir = layers.resolve(Digests.hex(chainId));
    if (!Files.exists(dir)) {
      return;
    }
    Path doomed = tmp.resolve("removing-" + Digests.hex(chainId));
    Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
    LayerUnpacker.delete(doomed);
  }

  /** Deletes a blob. */
  void deleteBlob(String digest) throws IOException {
    Files.deleteIfExists(blobs.resolve(Digests.hex(digest)));
  }

  /** The chain IDs of every unpacked layer. */
  Set<String> layerIds() throws IOException {
    try (Stream<Path> list = Files.list(layers)) {
      return list.map(p -> "sha256:" + p.getFileName()).collect(Collectors.toSet());
    }
  }

  /** The digests of every stored blob. */
  Set<String> blobDigests() throws IOException {
    try (Stream<Path> list = Files.list(blobs)) {
      return list.map(p -> "sha256:" + p.getFileName()).collect(Collectors.toSet());
    }
  }

  private static void moveIntoPlace(Path temp, Path target) throws IOException {
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
      LOG.debugf("blob %s already stored", target.getFileName());
    }
  }

  /** Copies what is read to a file while hashing and counting it, never past the size. */
  private static final class Tee extends FilterInputStream {

    /** Where the blob is written as it streams past. */
    private final OutputStream copy;
    /** The blob's running digest. */
    private final MessageDigest hash;
    /** The size the descriptor promises. */
    private final long size;
    /** The blob's digest, for messages. */
    private final String digest;
    /** Bytes read so far. */
    long count;
    /** Whether the source reached its end. */
    boolean ended;

    Tee(InputStream in, OutputStream copy, MessageDigest hash, long size, String digest) {
      super(in);
      this.copy = copy;
      this.hash = hash;
      this.size = size;
      this.digest = digest;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n < 0) {
        ended = true;
        return n;
      }
      count += n;
      if (count > size) {
        throw new BlobVerificationException("layer " + digest + " is larger than its "
            + size + " bytes");
      }
      hash.update(b, off, n);
      copy.write(b, off, n);
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      return Math.max(0, read(new byte[(int) Math.min(n, 8192)]));
    }

    @Override
    public boolean markSupported() {
      return false;
    }
  }

  /** Hashes what is read through it. */
  private static final class DigestStream extends FilterInputStream {

    /** The running digest of the uncompressed tar. */
    private final MessageDigest hash;

    DigestStream(InputStream in, MessageDigest hash) {
      super(in);
      this.hash = hash;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        hash.update((byte) b);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        hash.update(b, off, n);
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      return Math.max(0, read(new byte[(int) Math.min(n, 8192)]));
    }

    @Override
    public boolean markSupported() {
      return false;
    }
  }
}
