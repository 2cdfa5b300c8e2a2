package io.migrationstudio.core.dialect.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import java.util.List;
import org.junit.jupiter.api.Test;

class PostgresChangeCaptureNameTest {

  @Test
  void aMigrationIdBecomesAValidSlotName() {
    assertEquals("studio_orders_2026", PostgresChangeCapture.captureName("orders_2026"));
    String mixed = PostgresChangeCapture.captureName("Orders-2026.eu");
    assertTrue(mixed.matches("studio_orders_2026_eu_[0-9a-f]{10}"), mixed);
    assertNotEquals(mixed, PostgresChangeCapture.captureName("orders-2026.eu"));
    String longId = "a".repeat(100);
    String cut = PostgresChangeCapture.captureName(longId);
    assertEquals(63, cut.length());
    assertNotEquals(cut, PostgresChangeCapture.captureName(longId + "b"));
    for (String id : List.of("x", "Ünïcode id", "a".repeat(56), "a".repeat(57), longId)) {
      assertEquals(
          PostgresChangeCapture.captureName(id),
          PostgresChangeCapture.checkName(PostgresChangeCapture.captureName(id)));
    }
  }

  @Test
  void anInvalidNameIsRefusedWithTheRule() {
    for (String bad : new String[] {"", "Upper", "a-b", "a".repeat(64), "x; DROP", null}) {
      MigrationException e =
          assertThrows(MigrationException.class, () -> PostgresChangeCapture.checkName(bad));
      assertEquals(ErrorCode.INVALID_SPEC, e.code());
    }
  }
}
