package io.migrationstudio.core.dialect.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.dialect.IdentifierRules;
import java.util.List;
import org.junit.jupiter.api.Test;

class PostgresIdentifierRulesTest {
  private final IdentifierRules rules = new PostgresDialect().identifierRules().orElseThrow();

  @Test
  void quotingRuleFollowsPostgresFolding() {
    for (String plain : List.of("album", "invoice_line", "_x", "a1", "price$")) {
      assertFalse(rules.needsQuoting(plain), plain);
    }
    for (String hostile :
        List.of("Album", "order", "user", "select", "a b", "naïve", "1a", "x\"y", "")) {
      assertTrue(rules.needsQuoting(hostile), hostile);
    }
  }

  @Test
  void reservedWordsIgnoreCaseAndNonReservedKeywordsPass() {
    assertTrue(rules.reserved("USER"));
    assertTrue(rules.reserved("Order"));
    assertFalse(rules.reserved("name"), "name is a non-reserved keyword");
    assertFalse(rules.reserved("album"));
  }

  @Test
  void lengthLimitCountsUtf8Bytes() {
    assertEquals(63, rules.maxBytes());
    assertFalse(rules.tooLong("a".repeat(63)));
    assertTrue(rules.tooLong("a".repeat(64)));
    assertFalse(rules.tooLong("é".repeat(31)), "62 bytes");
    assertTrue(rules.tooLong("é".repeat(32)), "64 bytes in 32 characters");
  }
}
