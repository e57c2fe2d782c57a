package io.pier.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IdLookupTest {

  private final Map<String, String> byId = Map.of(
      "abc123", "first",
      "abd456", "second",
      "ab", "short");

  @Test
  void fullIdWinsOverPrefixesItIsPartOf() {
    assertEquals(Optional.of("short"), IdLookup.find(byId, "ab", "container"));
  }

  @Test
  void uniquePrefixFindsItsRecord() {
    assertEquals(Optional.of("second"), IdLookup.find(byId, "abd", "container"));
  }

  @Test
  void unknownIdIsEmpty() {
    assertTrue(IdLookup.find(byId, "zzz", "container").isEmpty());
  }

  @Test
  void ambiguousPrefixIsRefusedNamingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> IdLookup.find(Map.of("abc1", "x", "abc2", "y"), "abc", "pod sandbox"));
    assertEquals("pod sandbox ID prefix abc is ambiguous: it matches 2 IDs", e.getMessage());
  }

  @Test
  void emptyIdIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> IdLookup.find(byId, "", "container"));
  }
}
