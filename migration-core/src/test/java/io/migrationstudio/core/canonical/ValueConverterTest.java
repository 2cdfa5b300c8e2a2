package io.migrationstudio.core.canonical;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.schema.CanonicalType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValueConverterTest {

  private static ValueConverter to(CanonicalType source, CanonicalType target, Integer scale) {
    return new ValueConverter(source, new ColumnCodec("c", target, scale));
  }

  private static ValueConverter to(CanonicalType target) {
    return to(target, target, null);
  }

  @Test
  void firstInvalidUtf8FindsSurrogatesOverlongsAndTruncatedSequences() {
    assertEquals(-1, ValueConverter.firstInvalidUtf8("ok ü 😀".getBytes(UTF_8)));
    assertEquals(-1, ValueConverter.firstInvalidUtf8(new byte[0]));
    assertEquals(1, ValueConverter.firstInvalidUtf8(bytes(0x61, 0xED, 0xA0, 0x80, 0x62)));
    assertEquals(0, ValueConverter.firstInvalidUtf8(bytes(0xC0, 0x80))); // overlong NUL
    assertEquals(2, ValueConverter.firstInvalidUtf8(bytes(0x61, 0x62, 0xE2, 0x82))); // cut off
    assertEquals(0, ValueConverter.firstInvalidUtf8(bytes(0xFF)));
  }

  private static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  @Test
  void booleansFromZeroOneAndWords() {
    ValueConverter b = to(CanonicalType.BOOLEAN);
    assertEquals(true, b.convert(1));
    assertEquals(false, b.convert(0L));
    assertEquals(true, b.convert("1"));
    assertEquals(false, b.convert("f"));
    assertEquals(true, b.convert(Boolean.TRUE));
    assertEquals(true, b.convert(new byte[] {1}));
    assertNull(b.convert(null));
    assertInstanceOf(Unconvertible.class, b.convert(7), "tinyint(1) holding 7 is no boolean");
    assertInstanceOf(Unconvertible.class, b.convert(new byte[] {3}));
  }

  @Test
  void integersUnsignedAndYears() {
    ValueConverter i = to(CanonicalType.BIGINT);
    assertEquals(BigInteger.valueOf(4294967295L), i.convert(4294967295L), "int unsigned");
    assertEquals(BigInteger.valueOf(42), i.convert("42"));
    assertEquals(BigInteger.valueOf(42), i.convert(new BigDecimal("42.0")));
    assertEquals(
        BigInteger.valueOf(2006), to(CanonicalType.SMALLINT).convert(LocalDate.of(2006, 1, 1)));
    assertEquals(
        BigInteger.valueOf(2006),
        to(CanonicalType.SMALLINT).convert(java.sql.Date.valueOf("2006-01-01")),
        "YEAR read as a date");
    assertInstanceOf(Unconvertible.class, i.convert(new BigDecimal("1.5")));
    assertInstanceOf(Unconvertible.class, i.convert("abc"));
  }

  @Test
  void decimalsStayExact() {
    ValueConverter d = to(CanonicalType.DECIMAL, CanonicalType.DECIMAL, 0);
    assertEquals(
        new BigDecimal("18446744073709551615"),
        d.convert(new BigInteger("18446744073709551615")),
        "bigint unsigned max");
    assertEquals(new BigDecimal("0.99"), to(CanonicalType.DECIMAL).convert("0.99"));
    assertEquals(new BigDecimal("1.10"), to(CanonicalType.DECIMAL).convert(new BigDecimal("1.10")));
    assertEquals(1.5f, to(CanonicalType.REAL).convert(1.5d));
    assertEquals(2.25d, to(CanonicalType.DOUBLE).convert("2.25"));
  }

  @Test
  void datesAndTimestampsFromIsoText() {
    assertEquals(LocalDate.of(2007, 1, 1), to(CanonicalType.DATE).convert("2007-01-01"));
    assertEquals(
        LocalDate.of(2007, 1, 1),
        to(CanonicalType.DATE).convert("2007-01-01 00:00:00"),
        "a SQLite DATE written with midnight");
    assertInstanceOf(Unconvertible.class, to(CanonicalType.DATE).convert("2007-01-01 10:00:00"));
    assertEquals(
        LocalDateTime.of(2009, 1, 2, 3, 4, 5),
        to(CanonicalType.TIMESTAMP).convert("2009-01-02 03:04:05"));
    assertEquals(
        LocalDateTime.of(2009, 1, 2, 3, 4, 5, 500_000_000),
        to(CanonicalType.TIMESTAMP).convert("2009-01-02T03:04:05.5"));
    assertEquals(
        LocalDateTime.of(2009, 1, 2, 0, 0), to(CanonicalType.TIMESTAMP).convert("2009-01-02"));
    assertEquals(LocalTime.of(8, 30), to(CanonicalType.TIME).convert("08:30:00"));
    assertInstanceOf(
        Unconvertible.class, to(CanonicalType.TIME).convert("838:59:59"), "MySQL time > 1 day");
    assertInstanceOf(Unconvertible.class, to(CanonicalType.TIME).convert("-01:00:00"));
    assertInstanceOf(Unconvertible.class, to(CanonicalType.TIMESTAMP).convert("yesterday"));
    assertInstanceOf(
        Unconvertible.class, to(CanonicalType.TIMESTAMP).convert("2009-01-02 03:04:05+02:00"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0000-00-00", "0000-00-00 00:00:00", "2024-00-10", "2024-03-00 10:00:00"})
  void zeroDatesAreUnconvertibleWithAReasonNamingTheRule(String zero) {
    for (CanonicalType t :
        new CanonicalType[] {
          CanonicalType.DATE, CanonicalType.TIMESTAMP, CanonicalType.TIMESTAMPTZ
        }) {
      Object v = to(CanonicalType.TEXT, t, null).convert(zero);
      Unconvertible u = assertInstanceOf(Unconvertible.class, v, t + " " + zero);
      assertTrue(u.reason().contains("column == null ? null : column"), u.reason());
      assertEquals(zero, u.raw());
    }
  }

  @Test
  void offsetLessTextIsUtcForTimestamptz() {
    assertEquals(
        OffsetDateTime.of(2020, 5, 1, 12, 0, 0, 0, ZoneOffset.UTC),
        to(CanonicalType.TEXT, CanonicalType.TIMESTAMPTZ, null).convert("2020-05-01 12:00:00"));
    assertEquals(
        OffsetDateTime.of(2020, 5, 1, 12, 0, 0, 0, ZoneOffset.ofHours(2)),
        to(CanonicalType.TEXT, CanonicalType.TIMESTAMPTZ, null).convert("2020-05-01 12:00:00+02"));
  }

  @Test
  void offsetLessTextIsReadInTheMappingsZone() {
    ValueConverter berlin =
        new ValueConverter(
            CanonicalType.TIMESTAMP,
            new ColumnCodec("c", CanonicalType.TIMESTAMPTZ, null),
            java.time.ZoneId.of("Europe/Berlin"));
    assertEquals(
        java.time.OffsetDateTime.parse("2005-05-24T20:53:30Z"),
        berlin.convert("2005-05-24 22:53:30"),
        "summer time: UTC+2");
    assertEquals(
        java.time.OffsetDateTime.parse("2006-02-15T03:03:42Z"),
        berlin.convert("2006-02-15 04:03:42"),
        "winter time: UTC+1");
    assertEquals(
        java.time.OffsetDateTime.parse("2024-03-31T01:30:00Z"),
        berlin.convert("2024-03-31 02:30:00"),
        "a wall time the spring gap skips moves forward by the gap");
    assertEquals(
        java.time.OffsetDateTime.parse("2024-01-31T12:00:00+05:00"),
        berlin.convert("2024-01-31T12:00:00+05:00"),
        "an explicit offset wins over the zone");
  }

  @Test
  void mysqlTimesBecomeIntervalsAsPostgresWritesThem() {
    ValueConverter c = to(CanonicalType.TIME, CanonicalType.INTERVAL, null);
    assertEquals("838:59:59", c.convert("838:59:59"));
    assertEquals("-838:59:59", c.convert("-838:59:59.000000"));
    assertEquals("-12:34:56.5", c.convert("-12:34:56.500000"));
    assertEquals("05:06:07.000001", c.convert("5:06:07.000001"));
    assertEquals("00:00:00", c.convert("00:00:00.000000"));
    assertEquals("00:00:00", c.convert("-00:00:00"), "no negative zero");
    assertEquals("-00:00:00.5", c.convert("-00:00:00.5"));
    assertEquals("100:00:00", c.convert("100:00:00"));
    assertInstanceOf(Unconvertible.class, c.convert("1 day"), "not a MySQL time");
    assertEquals("1 day", to(CanonicalType.TEXT, CanonicalType.INTERVAL, null).convert("1 day"));
  }

  @Test
  void mysqlSetsBecomeTextArraysAsPostgresWritesThem() {
    ValueConverter set = to(CanonicalType.TEXT, CanonicalType.ARRAY, null);
    assertEquals("{Trailers,Commentaries}", set.convert("Trailers,Commentaries"));
    assertEquals(
        "{\"Deleted Scenes\",\"Behind the Scenes\"}",
        set.convert("Deleted Scenes,Behind the Scenes"));
    assertEquals("{}", set.convert(""), "the empty set is the empty array");
    assertEquals("{a}", set.convert("a"));
    assertEquals(null, set.convert(null));
    assertEquals(
        "{\"\",\"NULL\",\"null\",\"q\\\"x\",\"b\\\\s\",\"{x}\",\"t\tab\",Ωmega}",
        ValueConverter.textArray(
            List.of("", "NULL", "null", "q\"x", "b\\s", "{x}", "t\tab", "Ωmega")));
    assertEquals(
        "{1,2}",
        to(CanonicalType.ARRAY, CanonicalType.ARRAY, null).convert("{1,2}"),
        "an array stays as its text");
  }

  @Test
  void textAndBytes() {
    assertEquals("G", to(CanonicalType.ENUM, CanonicalType.TEXT, null).convert("G"));
    assertEquals("a,b", to(CanonicalType.TEXT).convert("a,b"), "a set keeps its comma list");
    assertArrayEquals(
        new byte[] {1, 2}, (byte[]) to(CanonicalType.BYTES).convert(new byte[] {1, 2}));
  }

  @Test
  void unconvertibleValuesNeverEncodeLikeAValue() {
    ColumnCodec codec = new ColumnCodec("c", CanonicalType.TEXT, null);
    Unconvertible u = new Unconvertible("0000-00-00", "zero date");
    byte[] asValue = CanonicalEncoder.encode(codec, "0000-00-00");
    byte[] asUnconvertible = CanonicalEncoder.encode(codec, u);
    assertTrue(!java.util.Arrays.equals(asValue, asUnconvertible));
    assertEquals(CanonicalEncoder.UNCONVERTIBLE_TAG, asUnconvertible[0]);
    assertEquals("zero date", io.migrationstudio.core.copy.CopyText.unwritable(codec, u));
  }
}
