package io.pier.exit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Exit files written as monitors write them turn into exit events, once each. */
@QuarkusTest
class ExitWatcherTest {

  /** Collects the exit events the watcher fires (a singleton: no proxy hides its field). */
  @Singleton
  static class Exits {
    final BlockingQueue<ContainerExit> seen = new LinkedBlockingQueue<>();

    void on(@Observes ContainerExit exit) {
      seen.add(exit);
    }
  }

  @Inject
  ExitWatcher watcher;

  @Inject
  Exits exits;

  @BeforeEach
  void drain() {
    exits.seen.clear();
  }

  @Test
  void exitFileWrittenThenRenamedIsReportedOnceWithItsCode() throws Exception {
    String id = UUID.randomUUID().toString();
    Files.createDirectories(watcher.exitDir());
    watcher.start();

    writeLikeAMonitor(id, "137");

    ContainerExit exit = next(id);
    assertEquals(137, exit.exitCode());
    Files.setLastModifiedTime(watcher.exitDir().resolve(id),
        Files.getLastModifiedTime(watcher.exitDir().resolve(id)));
    assertNull(exits.seen.poll(300, TimeUnit.MILLISECONDS), "an exit must be reported once");
    watcher.forget(id);
  }

  @Test
  void exitsWrittenBeforeTheWatchStartsAreFoundByTheFirstScan() throws Exception {
    String id = "before-" + UUID.randomUUID();
    Files.createDirectories(watcher.exitDir());
    writeLikeAMonitor(id, "3");

    watcher.start();

    // The watcher may already be running from another test; either way the file is reported.
    assertEquals(3, next(id).exitCode());
    watcher.forget(id);
  }

  private void writeLikeAMonitor(String id, String code) throws Exception {
    Path tmp = watcher.exitDir().resolve("." + id + ".tmp");
    Files.writeString(tmp, code);
    Files.move(tmp, watcher.exitDir().resolve(id), StandardCopyOption.ATOMIC_MOVE);
  }

  private ContainerExit next(String id) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      ContainerExit exit = exits.seen.poll(100, TimeUnit.MILLISECONDS);
      if (exit != null && exit.containerId().equals(id)) {
        return exit;
      }
    }
    return fail("no exit event for " + id);
  }
}
