package io.migrationstudio.core.cdc.apply;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.canonical.ColumnCodec;
import io.migrationstudio.core.schema.CanonicalType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.SQLFeatureNotSupportedException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A change's text read through the copy's column codecs, as pgjdbc would have served it. */
class ChangeRowTest {
  private static Object read(CanonicalType type, Object value) throws Exception {
    Map<String, Object> row = new HashMap<>();
    row.put("c", value);
    ResultSet rs = ChangeRow.of(List.of("c"), row);
    return new ColumnCodec("c", type, null).read(rs, 1);
  }

  @Test
  void postgresTextBecomesTheCodecsValues() throws Exception {
    assertEquals(BigInteger.valueOf(-42), read(CanonicalType.BIGINT, "-42"));
    assertEquals(new BigDecimal("12.50"), read(CanonicalType.DECIMAL, "12.50"));
    assertEquals(Double.NaN, read(CanonicalType.DECIMAL, "NaN"));
    assertEquals(Boolean.TRUE, read(CanonicalType.BOOLEAN, "t"));
    assertEquals(Boolean.FALSE, read(CanonicalType.BOOLEAN, "f"));
    assertEquals(Double.NEGATIVE_INFINITY, read(CanonicalType.DOUBLE, "-Infinity"));
    assertEquals(LocalDate.of(2024, 2, 29), read(CanonicalType.DATE, "2024-02-29"));
    assertEquals(LocalDate.of(-43, 3, 15), read(CanonicalType.DATE, "0044-03-15 BC"));
    assertEquals(LocalDate.MAX, read(CanonicalType.DATE, "infinity"));
    assertEquals(LocalTime.of(3, 4, 5, 120_000_000), read(CanonicalType.TIME, "03:04:05.12"));
    assertEquals(
        LocalDateTime.of(2024, 1, 2, 3, 4, 5, 123_456_000),
        read(CanonicalType.TIMESTAMP, "2024-01-02 03:04:05.123456"));
    assertEquals(
        OffsetDateTime.of(2024, 1, 2, 0, 4, 5, 0, ZoneOffset.UTC),
        read(CanonicalType.TIMESTAMPTZ, "2024-01-02 03:34:05+03:30"));
    assertEquals(
        OffsetDateTime.of(2024, 1, 2, 5, 0, 0, 0, ZoneOffset.UTC),
        read(CanonicalType.TIMESTAMPTZ, "2024-01-02 00:00:00-05"));
    assertArrayEquals(new byte[] {1, 2}, (byte[]) read(CanonicalType.BYTES, new byte[] {1, 2}));
    assertEquals("{a,\"b c\"}", read(CanonicalType.ARRAY, "{a,\"b c\"}"));
    assertEquals("x\ty", read(CanonicalType.TEXT, "x\ty"));
    assertNull(read(CanonicalType.INTEGER, null));
    assertNull(read(CanonicalType.BOOLEAN, null));
  }

  @Test
  void aColumnTheChangeDoesNotCarryReadsAsNullAndOtherMethodsAreRefused() throws Exception {
    ResultSet rs = ChangeRow.of(List.of("a", "b"), Map.of("a", "1"));
    assertNull(rs.getString(2));
    assertTrue(rs.wasNull());
    assertEquals("1", rs.getString(1));
    assertFalse(rs.wasNull());
    assertThrows(SQLFeatureNotSupportedException.class, rs::next);
    assertThrows(java.sql.SQLException.class, () -> rs.getString(3));
  }
}
