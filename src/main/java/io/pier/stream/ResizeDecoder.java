package io.pier.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the resize stream: JSON objects {@code {"Width":80,"Height":24}} one after another,
 * split across frames anywhere.
 */
final class ResizeDecoder {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

  /** Adds bytes; returns every size completed by them, in order. */
  List<TerminalSize> feed(byte[] bytes) {
    List<TerminalSize> sizes = new ArrayList<>();
    for (byte b : bytes) {
      if (pending.size() == 0 && b != '{') {
        continue;
      }
      pending.write(b);
      // The objects are flat: the first closing brace ends one.
      if (b == '}') {
        parse(pending.toByteArray()).ifPresent(sizes::add);
        pending.reset();
      }
    }
    return sizes;
  }

  private static java.util.Optional<TerminalSize> parse(byte[] object) {
    try {
      JsonNode node = JSON.readTree(object);
      int width = node.path("Width").asInt(0);
      int height = node.path("Height").asInt(0);
      if (width <= 0 || height <= 0) {
        return java.util.Optional.empty();
      }
      return java.util.Optional.of(new TerminalSize(width, height));
    } catch (IOException e) {
      return java.util.Optional.empty();
    }
  }
}
