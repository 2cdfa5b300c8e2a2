package io.migrationstudio.core.mapping;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.spec.ScopeSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScopeFilterTest {

  @Test
  void defaultScopeTakesEverything() {
    ScopeFilter all = ScopeFilter.of(ScopeSpec.all());
    for (String name : List.of("album", "Order Items", "naïve \"quoted\"", "", "a.b")) {
      assertTrue(all.test(name), name);
    }
  }

  @Test
  void starAndQuestionMarkAreTheOnlyWildcards() {
    assertTrue(ScopeFilter.matches("play*", "playlist_track"));
    assertTrue(ScopeFilter.matches("play*", "play"));
    assertTrue(ScopeFilter.matches("invoice?line", "invoice_line"));
    assertFalse(ScopeFilter.matches("invoice?line", "invoiceline"));
    assertFalse(ScopeFilter.matches("a.c", "abc"));
    assertTrue(ScopeFilter.matches("a.c", "a.c"));
    assertTrue(ScopeFilter.matches("[x]+", "[x]+"));
    assertFalse(ScopeFilter.matches("[x]+", "x"));
    assertTrue(ScopeFilter.matches("\\E*", "\\Eanything"));
    assertTrue(ScopeFilter.matches("na?ve*", "naïve \"quoted\""));
  }

  @Test
  void matchingIsCaseSensitiveAndWholeName() {
    assertFalse(ScopeFilter.matches("album", "Album"));
    assertFalse(ScopeFilter.matches("album", "album_x"));
    assertFalse(ScopeFilter.matches("Order*", "order items"));
    assertTrue(ScopeFilter.matches("Order*", "Order Items"));
  }

  @Test
  void excludeWinsOverInclude() {
    ScopeFilter f = ScopeFilter.of(new ScopeSpec(List.of("invoice*", "track"), List.of("*_line")));
    assertTrue(f.test("invoice"));
    assertTrue(f.test("track"));
    assertFalse(f.test("invoice_line"));
    assertFalse(f.test("album"));
  }
}
