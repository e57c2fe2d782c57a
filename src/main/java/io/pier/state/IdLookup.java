package io.pier.state;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Finds a record by its full ID or by a prefix that only one ID starts with, as crictl does. */
public final class IdLookup {

  private IdLookup() {
  }

  /**
   * The record whose ID is {@code idOrPrefix}, else the one record whose ID starts with it.
   *
   * @param kind what the records are, for error messages ("container", "pod sandbox")
   * @throws IllegalArgumentException when the prefix is empty or fits several records
   */
  public static <T> Optional<T> find(Map<String, T> byId, String idOrPrefix, String kind) {
    if (idOrPrefix.isEmpty()) {
      throw new IllegalArgumentException(kind + " ID is empty");
    }
    T exact = byId.get(idOrPrefix);
    if (exact != null) {
      return Optional.of(exact);
    }
    List<T> matches = byId.entrySet().stream()
        .filter(e -> e.getKey().startsWith(idOrPrefix))
        .map(Map.Entry::getValue)
        .toList();
    if (matches.size() > 1) {
      throw new IllegalArgumentException(kind + " ID prefix " + idOrPrefix
          + " is ambiguous: it matches " + matches.size() + " IDs");
    }
    return matches.stream().findFirst();
  }
}
