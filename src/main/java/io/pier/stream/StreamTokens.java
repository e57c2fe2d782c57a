package io.pier.stream;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Single-use, expiring tokens that stand for a stream request in the URL handed to kubelet. */
final class StreamTokens {

  /** How long a URL stays valid: kubelet uses it at once, as containerd and cri-o expect. */
  static final Duration LIFETIME = Duration.ofMinutes(1);

  private final SecureRandom random = new SecureRandom();
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private final Clock clock;

  StreamTokens(Clock clock) {
    this.clock = clock;
  }

  /** A new token for {@code request}. */
  String issue(StreamRequest request) {
    purgeExpired();
    byte[] bytes = new byte[24];
    random.nextBytes(bytes);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    entries.put(token, new Entry(request, clock.instant().plus(LIFETIME)));
    return token;
  }

  /** The request behind a token, once: a used, unknown or expired token gives nothing. */
  Optional<StreamRequest> redeem(String token) {
    Entry entry = entries.remove(token);
    if (entry == null || clock.instant().isAfter(entry.expires())) {
      return Optional.empty();
    }
    return Optional.of(entry.request());
  }

  private void purgeExpired() {
    Instant now = clock.instant();
    entries.values().removeIf(e -> now.isAfter(e.expires()));
  }

  private record Entry(StreamRequest request, Instant expires) {}
}
