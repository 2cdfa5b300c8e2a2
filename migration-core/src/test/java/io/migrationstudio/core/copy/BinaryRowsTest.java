package io.migrationstudio.core.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.migrationstudio.core.schema.CanonicalType;
import org.junit.jupiter.api.Test;

/** Which canonical type / target type pairs go to binary COPY; every other pair keeps text. */
class BinaryRowsTest {
  @Test
  void encodesOnlyPairsWhoseBinaryFormMatchesTheText() {
    assertEquals(BinaryRows.Kind.INT2, BinaryRows.kind(CanonicalType.SMALLINT, "int2"));
    assertEquals(BinaryRows.Kind.INT8, BinaryRows.kind(CanonicalType.INTEGER, "int8"));
    assertEquals(BinaryRows.Kind.TEXT, BinaryRows.kind(CanonicalType.CHAR, "bpchar"));
    assertEquals(BinaryRows.Kind.TEXT, BinaryRows.kind(CanonicalType.ENUM, "text"));
    assertEquals(BinaryRows.Kind.JSONB, BinaryRows.kind(CanonicalType.JSON, "jsonb"));
    assertEquals(BinaryRows.Kind.NUMERIC, BinaryRows.kind(CanonicalType.DECIMAL, "numeric"));
    assertEquals(
        BinaryRows.Kind.TIMESTAMPTZ, BinaryRows.kind(CanonicalType.TIMESTAMPTZ, "timestamptz"));
    // another target type than the value's own: the text path lets the server convert
    assertNull(BinaryRows.kind(CanonicalType.INTEGER, "numeric"));
    assertNull(BinaryRows.kind(CanonicalType.REAL, "float8"));
    assertNull(BinaryRows.kind(CanonicalType.TIMESTAMP, "timestamptz"));
    assertNull(BinaryRows.kind(CanonicalType.TEXT, "citext"));
    // types without an encoder, and columns the catalog did not list (user-defined types)
    assertNull(BinaryRows.kind(CanonicalType.ARRAY, "_int4"));
    assertNull(BinaryRows.kind(CanonicalType.INTERVAL, "interval"));
    assertNull(BinaryRows.kind(CanonicalType.ENUM, null));
  }
}
