package io.migrationstudio.core.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CarriedSchemaTest {
  @Test
  void majorVersionsAreReadFromServerVersionStrings() {
    assertEquals(17, CarriedSchema.major("17.7"));
    assertEquals(16, CarriedSchema.major("16.11 (Debian 16.11-1.pgdg120+1)"));
    assertEquals(9, CarriedSchema.major("9.6.24"));
    assertEquals(18, CarriedSchema.major("18beta1"));
    assertEquals(0, CarriedSchema.major(null));
    assertEquals(0, CarriedSchema.major("unknown"));
  }

  @Test
  void onlyATargetOfAnOlderMajorVersionIsCalledOlder() {
    String older = CarriedSchema.olderTarget("17.7", "16.11");
    assertTrue(older.contains("PostgreSQL 16.11, a major version older than the source's 17.7"));
    assertTrue(older.contains("rewrite it for 16, or migrate to a target of version 17"), older);
    assertEquals("", CarriedSchema.olderTarget("17.7", "17.2"), "same major, older minor");
    assertEquals("", CarriedSchema.olderTarget("16.11", "17.7"), "an upgrade");
    assertEquals("", CarriedSchema.olderTarget(null, "16.11"), "source version unknown");
  }
}
