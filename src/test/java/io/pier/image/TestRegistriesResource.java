package io.pier.image;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/** Points pierd under test at the loopback test registries: a docker.io mirror, plain HTTP. */
public class TestRegistriesResource implements QuarkusTestResourceLifecycleManager {

  @Override
  public Map<String, String> start() {
    TestRegistries r = TestRegistries.get();
    // Images from earlier runs name registries on ports long gone: start from an empty store
    // (the test profile's pier.root is target/test-root).
    try {
      LayerUnpacker.delete(Path.of("target/test-root/images").toAbsolutePath());
      LayerUnpacker.delete(Path.of("target/test-root/containers").toAbsolutePath());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Map.of(
        "pier.registry-mirrors", "docker.io=" + r.open,
        "pier.insecure-registries", r.open + "," + r.auth);
  }

  @Override
  public void stop() {
    // The registries outlive this app: other test classes use them; the JVM stops them.
  }
}
