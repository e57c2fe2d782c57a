package io.pier.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps records as one JSON file each ({@code <dir>/<id>.json}), written to a temporary
 * file, flushed to disk and renamed, so a crash leaves either the old record or the new one.
 */
public final class RecordStore<T> {

  private final Path dir;
  private final Class<T> type;
  private final ObjectMapper json;

  /** A store of records of {@code type} in {@code dir}, created if missing. */
  public RecordStore(Path dir, Class<T> type, ObjectMapper json) {
    this.dir = dir;
    this.type = type;
    this.json = json;
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("creating record directory " + dir, e);
    }
  }

  /** Writes a record atomically. */
  public void save(String id, T record) {
    Path target = dir.resolve(id + ".json");
    Path tmp = dir.resolve("." + id + ".json.tmp");
    try {
      Files.write(tmp, json.writeValueAsBytes(record));
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("saving record " + target, e);
    }
  }

  /** Deletes a record; a missing one is not an error. */
  public void delete(String id) {
    try {
      Files.deleteIfExists(dir.resolve(id + ".json"));
    } catch (IOException e) {
      throw new UncheckedIOException("deleting record " + id + " in " + dir, e);
    }
  }

  /** Every record on disk; temporary files of interrupted writes are removed. */
  public List<T> loadAll() {
    List<T> records = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        if (name.endsWith(".tmp")) {
          Files.deleteIfExists(file);
        } else if (name.endsWith(".json")) {
          records.add(json.readValue(file.toFile(), type));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("loading records from " + dir, e);
    }
    return records;
  }
}
