package io.pier.exit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.pier.testing.ExitEvents;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Exit files written as monitors write them turn into exit events, once each. */
@QuarkusTest
class ExitWatcherTest {

  @Inject
  ExitWatcher watcher;

  @Inject
  ExitEvents exits;

  @BeforeEach
  void drain() {
    exits.clear();
  }

  @Test
  void exitFileWrittenThenRenamedIsReportedOnceWithItsCode() throws Exception {
    String id = UUID.randomUUID().toString();
    Files.createDirectories(watcher.exitDir());
    watcher.start();

    writeLikeAMonitor(id, "137");

    ContainerExit exit = exits.await(id, 10);
    assertEquals(137, exit.exitCode());
    Files.setLastModifiedTime(watcher.exitDir().resolve(id),
        Files.getLastModifiedTime(watcher.exitDir().resolve(id)));
    assertNull(exits.poll(300), "an exit must be reported once");
    watcher.forget(id);
  }

  @Test
  void exitsWrittenBeforeTheWatchStartsAreFoundByTheFirstScan() throws Exception {
    String id = "before-" + UUID.randomUUID();
    Files.createDirectories(watcher.exitDir());
    writeLikeAMonitor(id, "3");

    watcher.start();

    // The watcher may already be running from another test; either way the file is reported.
    assertEquals(3, exits.await(id, 10).exitCode());
    watcher.forget(id);
  }

  private void writeLikeAMonitor(String id, String code) throws Exception {
    Path tmp = watcher.exitDir().resolve("." + id + ".tmp");
    Files.writeString(tmp, code);
    Files.move(tmp, watcher.exitDir().resolve(id), StandardCopyOption.ATOMIC_MOVE);
  }
}
