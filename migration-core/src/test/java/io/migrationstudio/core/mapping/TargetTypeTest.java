package io.migrationstudio.core.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.schema.CanonicalType;
import org.junit.jupiter.api.Test;

class TargetTypeTest {
  @Test
  void boundsAreParsed() {
    assertEquals(40, TargetType.parse("character varying(40)").length());
    assertNull(TargetType.parse("character varying").length());
    assertEquals(1, TargetType.parse("character").length());
    assertEquals(3, TargetType.parse("char(3)").length());
    TargetType n = TargetType.parse("numeric(10,2)");
    assertEquals(CanonicalType.DECIMAL, n.canonical());
    assertEquals(10, n.precision());
    assertEquals(2, n.scale());
    assertEquals(0, TargetType.parse("NUMERIC(5)").scale());
    assertNull(TargetType.parse("numeric").precision());
    assertEquals(
        CanonicalType.TIMESTAMPTZ, TargetType.parse("timestamp(3) with time zone").canonical());
    assertEquals(CanonicalType.ARRAY, TargetType.parse("character varying(3)[]").canonical());
    assertNull(TargetType.parse("character varying(3)[]").length());
    assertEquals(32767, TargetType.parse("smallint").integerMax().intValue());
    assertTrue(TargetType.sameSpelling("Character  Varying(40)", "character varying(40)"));
  }
}
