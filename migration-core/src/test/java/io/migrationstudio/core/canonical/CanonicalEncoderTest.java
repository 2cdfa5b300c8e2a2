package io.migrationstudio.core.canonical;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.migrationstudio.core.schema.CanonicalType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CanonicalEncoderTest {
  private static ColumnCodec codec(CanonicalType t) {
    return new ColumnCodec("c", t, null);
  }

  private static String hex(byte[] b) {
    return java.util.HexFormat.of().formatHex(b);
  }

  @Test
  void nullIsNotTheEmptyStringInAnyTextType() {
    for (CanonicalType t :
        List.of(
            CanonicalType.TEXT, CanonicalType.VARCHAR, CanonicalType.CHAR, CanonicalType.JSON)) {
      byte[] nul = CanonicalEncoder.encode(codec(t), null);
      byte[] empty = CanonicalEncoder.encode(codec(t), "");
      assertArrayEquals(new byte[] {'N'}, nul);
      assertFalse(Arrays.equals(nul, empty), t.name());
      assertEquals(5, empty.length, "tag + 4-byte length 0");
    }
  }

  @Test
  void decimalsAreNormalizedToTheDeclaredScale() {
    ColumnCodec scale2 = new ColumnCodec("price", CanonicalType.DECIMAL, 2);
    assertEquals("1.50", CanonicalEncoder.text(scale2, new BigDecimal("1.5")));
    assertArrayEquals(
        CanonicalEncoder.encode(scale2, new BigDecimal("1.50")),
        CanonicalEncoder.encode(scale2, new BigDecimal("1.5")));
    assertEquals("0.99", CanonicalEncoder.text(scale2, new BigDecimal("0.99")));
    assertEquals("1.01", CanonicalEncoder.text(scale2, new BigDecimal("1.005")), "half-up");
    assertNotEquals(
        hex(CanonicalEncoder.encode(scale2, new BigDecimal("1.51"))),
        hex(CanonicalEncoder.encode(scale2, new BigDecimal("1.5"))));
  }

  @Test
  void unconstrainedDecimalsStripTrailingZeros() {
    ColumnCodec free = codec(CanonicalType.DECIMAL);
    assertEquals("1.5", CanonicalEncoder.text(free, new BigDecimal("1.500")));
    assertEquals("0", CanonicalEncoder.text(free, new BigDecimal("0.000")));
    assertEquals("100", CanonicalEncoder.text(free, new BigDecimal("1E+2")));
    assertEquals("NaN", CanonicalEncoder.text(free, Double.NaN));
    assertEquals("-Infinity", CanonicalEncoder.text(free, Double.NEGATIVE_INFINITY));
  }

  @Test
  void declaredScaleIsParsedFromTheTargetType() {
    assertEquals(2, ColumnCodec.declaredScale("numeric(10,2)"));
    assertEquals(2, ColumnCodec.declaredScale("NUMERIC( 10 , 2 )"));
    assertEquals(0, ColumnCodec.declaredScale("decimal(12)"));
    assertNull(ColumnCodec.declaredScale("numeric"));
    assertNull(ColumnCodec.declaredScale("integer"));
  }

  @Test
  void integersOfEveryWidthEncodeAlike() {
    byte[] small = CanonicalEncoder.encode(codec(CanonicalType.SMALLINT), BigInteger.valueOf(42));
    byte[] big = CanonicalEncoder.encode(codec(CanonicalType.BIGINT), BigInteger.valueOf(42));
    assertArrayEquals(small, big);
    assertEquals('I', small[0]);
    assertEquals(
        "-9223372036854775808",
        CanonicalEncoder.text(codec(CanonicalType.BIGINT), BigInteger.valueOf(Long.MIN_VALUE)));
  }

  @Test
  void floatsHaveOneStableReprAndNegativeZeroIsZero() {
    ColumnCodec d = codec(CanonicalType.DOUBLE);
    assertArrayEquals(CanonicalEncoder.encode(d, -0.0d), CanonicalEncoder.encode(d, 0.0d));
    assertEquals("0.1", CanonicalEncoder.text(d, 0.1d));
    assertEquals("NaN", CanonicalEncoder.text(d, Double.NaN));
    assertEquals("3.4028235E38", CanonicalEncoder.text(codec(CanonicalType.REAL), Float.MAX_VALUE));
  }

  @Test
  void timestampWithTimeZoneIsTheUtcInstant() {
    ColumnCodec tz = codec(CanonicalType.TIMESTAMPTZ);
    OffsetDateTime paris =
        OffsetDateTime.of(2024, 3, 1, 10, 0, 0, 123_456_000, ZoneOffset.ofHours(2));
    OffsetDateTime utc = OffsetDateTime.of(2024, 3, 1, 8, 0, 0, 123_456_000, ZoneOffset.UTC);
    assertArrayEquals(CanonicalEncoder.encode(tz, paris), CanonicalEncoder.encode(tz, utc));
    assertEquals("1709280000123456", CanonicalEncoder.text(tz, utc));
    assertEquals("infinity", CanonicalEncoder.text(tz, OffsetDateTime.MAX));
  }

  @Test
  void timestampWithoutTimeZoneIsItsWallClock() {
    ColumnCodec ts = codec(CanonicalType.TIMESTAMP);
    assertEquals(
        "1709287200000001",
        CanonicalEncoder.text(ts, LocalDateTime.of(2024, 3, 1, 10, 0, 0, 1_000)));
    assertEquals("0", CanonicalEncoder.text(ts, LocalDateTime.of(1970, 1, 1, 0, 0)));
    assertEquals("-1000000", CanonicalEncoder.text(ts, LocalDateTime.of(1969, 12, 31, 23, 59, 59)));
    // the same wall clock as timestamptz at UTC has the same payload but a different tag
    byte[] naive = CanonicalEncoder.encode(ts, LocalDateTime.of(1970, 1, 1, 0, 0));
    byte[] aware =
        CanonicalEncoder.encode(
            codec(CanonicalType.TIMESTAMPTZ),
            OffsetDateTime.of(1970, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC));
    assertNotEquals(naive[0], aware[0]);
  }

  @Test
  void datesAreDaysAndTimesAreMicrosOfDay() {
    assertEquals("0", CanonicalEncoder.text(codec(CanonicalType.DATE), LocalDate.of(1970, 1, 1)));
    assertEquals(
        "-1", CanonicalEncoder.text(codec(CanonicalType.DATE), LocalDate.of(1969, 12, 31)));
    assertEquals(
        "3600000001",
        CanonicalEncoder.text(codec(CanonicalType.TIME), LocalTime.of(1, 0, 0, 1_000)));
  }

  @Test
  void booleansAndBytes() {
    assertArrayEquals(
        new byte[] {'B', 0, 0, 0, 1, 1},
        CanonicalEncoder.encode(codec(CanonicalType.BOOLEAN), true));
    assertArrayEquals(
        new byte[] {'X', 0, 0, 0, 2, 0, -1},
        CanonicalEncoder.encode(codec(CanonicalType.BYTES), new byte[] {0, -1}));
    assertEquals(
        "\\x00ff", CanonicalEncoder.display(codec(CanonicalType.BYTES), new byte[] {0, -1}));
  }

  @Test
  void textIsUtf8AndCharLosesItsPadding() {
    byte[] e = CanonicalEncoder.encode(codec(CanonicalType.TEXT), "é");
    assertEquals(2, e[4], "é is two UTF-8 bytes");
    assertArrayEquals(
        CanonicalEncoder.encode(codec(CanonicalType.CHAR), "ab   "),
        CanonicalEncoder.encode(codec(CanonicalType.CHAR), "ab"));
    assertFalse(
        Arrays.equals(
            CanonicalEncoder.encode(codec(CanonicalType.TEXT), "ab "),
            CanonicalEncoder.encode(codec(CanonicalType.TEXT), "ab")));
  }

  @Test
  void lengthPrefixKeepsConcatenationsApart() {
    RowHasher h = new RowHasher();
    List<ColumnCodec> two = List.of(codec(CanonicalType.TEXT), codec(CanonicalType.TEXT));
    assertNotEquals(
        h.hashRow(two, new Object[] {"ab", "c"}), h.hashRow(two, new Object[] {"a", "bc"}));
    assertNotEquals(
        h.hashRow(two, new Object[] {null, ""}), h.hashRow(two, new Object[] {"", null}));
  }

  @Test
  void everySmallValueHasADistinctEncoding() {
    Set<String> seen = new HashSet<>();
    List<Object[]> values = new ArrayList<>();
    values.add(new Object[] {CanonicalType.TEXT, null});
    for (String s : List.of("", " ", "0", "N", "\\N", "null", "NULL")) {
      values.add(new Object[] {CanonicalType.TEXT, s});
    }
    for (long i = -3; i <= 3; i++) {
      values.add(new Object[] {CanonicalType.INTEGER, BigInteger.valueOf(i)});
      values.add(new Object[] {CanonicalType.DECIMAL, BigDecimal.valueOf(i, 1)});
    }
    values.add(new Object[] {CanonicalType.BOOLEAN, true});
    values.add(new Object[] {CanonicalType.BOOLEAN, false});
    for (Object[] v : values) {
      String enc = hex(CanonicalEncoder.encode(codec((CanonicalType) v[0]), v[1]));
      assertEquals(true, seen.add(enc), "duplicate encoding for " + v[0] + " " + v[1]);
    }
    assertEquals("530000000130", hex(CanonicalEncoder.encode(codec(CanonicalType.TEXT), "0")));
  }

  @Test
  void chunkHashIgnoresOrderButNotDuplicates() {
    RowHasher h = new RowHasher();
    List<ColumnCodec> one = List.of(codec(CanonicalType.INTEGER));
    long a = h.hashRow(one, new Object[] {BigInteger.ONE});
    long b = h.hashRow(one, new Object[] {BigInteger.TWO});
    RowHasher.ChunkDigest ab = new RowHasher.ChunkDigest();
    ab.add(a);
    ab.add(b);
    RowHasher.ChunkDigest ba = new RowHasher.ChunkDigest();
    ba.add(b);
    ba.add(a);
    assertEquals(ab.hex(), ba.hex());
    RowHasher.ChunkDigest aab = new RowHasher.ChunkDigest();
    aab.add(a);
    aab.add(a);
    aab.add(b);
    assertNotEquals(ab.hex(), aab.hex());
    assertEquals("0000000000000000", new RowHasher.ChunkDigest().hex());
    assertEquals(16, ab.hex().length());
  }

  /** The integer fast path writes exactly the tag, length and Long.toString digits. */
  @Test
  void integersEncodeAsTheirDecimalTextForEveryMagnitude() {
    List<Long> values = new ArrayList<>(List.of(0L, Long.MAX_VALUE, Long.MIN_VALUE + 1));
    for (long p = 1; p > 0 && p <= Long.MAX_VALUE / 10 * 10; p *= 10) {
      values.addAll(List.of(p - 1, p, p + 1, -p + 1, -p, -p - 1));
      if (p > Long.MAX_VALUE / 10) {
        break;
      }
    }
    java.util.SplittableRandom r = new java.util.SplittableRandom(42);
    for (int i = 0; i < 1000; i++) {
      values.add(r.nextLong() >> r.nextInt(64));
    }
    for (CanonicalType t :
        List.of(CanonicalType.SMALLINT, CanonicalType.INTEGER, CanonicalType.BIGINT)) {
      for (long v : values) {
        byte[] digits = Long.toString(v).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        java.io.ByteArrayOutputStream want = new java.io.ByteArrayOutputStream();
        want.write('I');
        want.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(digits.length).array());
        want.writeBytes(digits);
        assertArrayEquals(
            want.toByteArray(),
            CanonicalEncoder.encode(codec(t), BigInteger.valueOf(v)),
            t + " " + v);
        assertArrayEquals(want.toByteArray(), CanonicalEncoder.encode(codec(t), v), "Long " + v);
      }
    }
    // beyond a long, and the one long the fast path leaves to the text path
    for (BigInteger b :
        List.of(
            BigInteger.valueOf(Long.MIN_VALUE),
            BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.ONE),
            BigInteger.TEN.pow(30).negate())) {
      byte[] digits = b.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      byte[] got = CanonicalEncoder.encode(codec(CanonicalType.BIGINT), b);
      assertEquals('I', got[0]);
      assertEquals(digits.length, got.length - 5);
      assertArrayEquals(digits, Arrays.copyOfRange(got, 5, got.length), b.toString());
    }
    assertArrayEquals(
        CanonicalEncoder.encode(codec(CanonicalType.INTEGER), BigInteger.valueOf(-42)),
        CanonicalEncoder.encode(codec(CanonicalType.INTEGER), Integer.valueOf(-42)));
  }
}
