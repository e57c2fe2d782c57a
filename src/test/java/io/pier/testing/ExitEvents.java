package io.pier.testing;

import static org.junit.jupiter.api.Assertions.fail;

import io.pier.exit.ContainerExit;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Collects the exit events pierd fires, for tests to wait on (a singleton: no proxy). */
@Singleton
public class ExitEvents {

  private final BlockingQueue<ContainerExit> seen = new LinkedBlockingQueue<>();

  void on(@Observes ContainerExit exit) {
    seen.add(exit);
  }

  /** Forgets the events seen so far. */
  public void clear() {
    seen.clear();
  }

  /** The next exit event of any container within {@code millis}, or null. */
  public ContainerExit poll(long millis) throws InterruptedException {
    return seen.poll(millis, TimeUnit.MILLISECONDS);
  }

  /** Waits up to {@code seconds} for the exit of {@code containerId}; fails the test if none. */
  public ContainerExit await(String containerId, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      ContainerExit exit = seen.poll(100, TimeUnit.MILLISECONDS);
      if (exit != null && exit.containerId().equals(containerId)) {
        return exit;
      }
    }
    return fail("no exit event for " + containerId + " within " + seconds + "s");
  }
}
