package io.migrationstudio.core.canonical;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.schema.CanonicalType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ComparisonRulesTest {
  private static ColumnCodec codec(CanonicalType type, ComparisonRule rule) {
    return new ColumnCodec("c", type, null, rule);
  }

  private static ComparisonRule rule(
      String tolerance, String relative, String precision, String zone, Boolean trim, Boolean ic) {
    return new ComparisonRule(
        tolerance == null ? null : new BigDecimal(tolerance),
        relative == null ? null : new BigDecimal(relative),
        precision,
        zone,
        trim,
        ic);
  }

  private static boolean sameHash(ColumnCodec c, Object a, Object b) {
    return Arrays.equals(CanonicalEncoder.encode(c, a), CanonicalEncoder.encode(c, b));
  }

  @Test
  void withoutARuleComparisonIsTheCanonicalEncoding() {
    ColumnCodec c = new ColumnCodec("c", CanonicalType.TEXT, null);
    assertTrue(ComparisonRules.equal(c, "a", "a"));
    assertFalse(ComparisonRules.equal(c, "a", "a "));
    assertFalse(ComparisonRules.equal(c, null, ""));
    ColumnCodec empty = codec(CanonicalType.TEXT, rule(null, null, null, null, false, false));
    assertEquals(null, empty.rule(), "a rule that states nothing is no rule");
  }

  @Test
  void trimAndCaseAreExactCanonicalisations() {
    ColumnCodec c = codec(CanonicalType.VARCHAR, rule(null, null, null, null, true, true));
    assertTrue(ComparisonRules.equal(c, "  Straße ", "STRASSE".toLowerCase().replace("ss", "ß")));
    assertTrue(ComparisonRules.equal(c, "Hello\t", "hELLO"));
    assertTrue(sameHash(c, "Hello\t", "hELLO"), "equal under the rule hashes equally");
    assertFalse(ComparisonRules.equal(c, "Hel lo", "hello"), "inner blanks are data");
    assertFalse(ComparisonRules.equal(c, null, ""), "NULL is never the empty string");
    ColumnCodec trimOnly = codec(CanonicalType.TEXT, rule(null, null, null, null, true, null));
    assertFalse(ComparisonRules.equal(trimOnly, "A", "a"));
  }

  @Test
  void precisionRoundsHalfAwayFromZeroLikePostgres() {
    ColumnCodec ms = codec(CanonicalType.TIMESTAMP, rule(null, null, "ms", null, null, null));
    LocalDateTime t = LocalDateTime.of(2024, 3, 1, 10, 0, 0, 123_456_000);
    assertTrue(ComparisonRules.equal(ms, t, t.withNano(123_000_000)));
    assertTrue(ComparisonRules.equal(ms, t.withNano(123_500_000), t.withNano(124_000_000)));
    assertFalse(ComparisonRules.equal(ms, t, t.withNano(124_000_000)));
    assertTrue(sameHash(ms, t, t.withNano(123_000_000)));
    ColumnCodec s = codec(CanonicalType.TIMESTAMPTZ, rule(null, null, "s", null, null, null));
    OffsetDateTime o = OffsetDateTime.of(2024, 3, 1, 10, 0, 0, 600_000_000, ZoneOffset.ofHours(2));
    assertTrue(
        ComparisonRules.equal(s, o, OffsetDateTime.of(2024, 3, 1, 8, 0, 1, 0, ZoneOffset.UTC)));
    assertEquals(-2_000_000L, ComparisonRules.roundMicros(-1_500_000L, 1_000_000L));
    assertEquals(2_000_000L, ComparisonRules.roundMicros(1_500_000L, 1_000_000L));
    assertEquals(1_000_000L, ComparisonRules.roundMicros(1_499_999L, 1_000_000L));
    ColumnCodec time = codec(CanonicalType.TIME, rule(null, null, "s", null, null, null));
    assertTrue(
        ComparisonRules.equal(time, LocalTime.of(10, 0, 0, 400_000_000), LocalTime.of(10, 0)));
  }

  @Test
  void aTimeZoneComparesWallClockValuesAsInstantsInThatZone() {
    ColumnCodec berlin =
        codec(CanonicalType.TIMESTAMPTZ, rule(null, null, null, "Europe/Berlin", null, null));
    LocalDateTime wall = LocalDateTime.of(2024, 7, 1, 12, 0);
    OffsetDateTime instant = OffsetDateTime.of(2024, 7, 1, 10, 0, 0, 0, ZoneOffset.UTC);
    assertTrue(ComparisonRules.equal(berlin, wall, instant), "12:00 in Berlin is 10:00Z");
    assertTrue(sameHash(berlin, wall, instant));
    assertFalse(ComparisonRules.equal(berlin, wall, instant.plusHours(1)));
    ColumnCodec utc = codec(CanonicalType.TIMESTAMPTZ, rule(null, null, null, "UTC", null, null));
    assertFalse(ComparisonRules.equal(utc, wall, instant));
    assertTrue(ComparisonRules.equal(utc, wall, instant.plusHours(2)));
  }

  @Test
  void absoluteToleranceAndItsBuckets() {
    ColumnCodec c = codec(CanonicalType.DOUBLE, rule("0.001", null, null, null, null, null));
    assertTrue(ComparisonRules.equal(c, 1.0, 1.0005));
    assertTrue(ComparisonRules.equal(c, 1.0, 1.001));
    assertFalse(ComparisonRules.equal(c, 1.0, 1.0011));
    assertFalse(ComparisonRules.equal(c, 1.0, null));
    assertTrue(ComparisonRules.equal(c, Double.NaN, Double.NaN));
    assertFalse(ComparisonRules.equal(c, Double.NaN, 1.0));
    ColumnCodec d = codec(CanonicalType.DECIMAL, rule("0.5", null, null, null, null, null));
    assertTrue(ComparisonRules.equal(d, new BigDecimal("10.2"), new BigDecimal("10.6")));
    ColumnCodec i = codec(CanonicalType.INTEGER, rule("2", null, null, null, null, null));
    assertTrue(ComparisonRules.equal(i, BigInteger.valueOf(-7), BigInteger.valueOf(-5)));
    assertFalse(ComparisonRules.equal(i, BigInteger.valueOf(-7), BigInteger.valueOf(-4)));
  }

  @Test
  void relativeToleranceDigitsMakeBucketsNarrowerThanTheTolerance() {
    assertEquals(10, ComparisonRules.digits(new BigDecimal("1e-9")));
    assertEquals(2, ComparisonRules.digits(new BigDecimal("0.1")));
    assertEquals(3, ComparisonRules.digits(new BigDecimal("0.05")));
    ColumnCodec c = codec(CanonicalType.DOUBLE, rule(null, "1e-12", null, null, null, null));
    double x = 0.1;
    assertTrue(ComparisonRules.equal(c, x, Math.nextUp(x)), "one ulp");
    assertFalse(ComparisonRules.equal(c, x, x * (1 + 1e-9)));
    assertTrue(ComparisonRules.equal(c, 0.0, -0.0));
  }

  /**
   * The property the validator relies on: values that hash equally are equal under the rule, so a
   * difference beyond tolerance always changes the hash (property-style, random pairs near each
   * other).
   */
  @Test
  void equalHashesAreAlwaysWithinTolerance() {
    SplittableRandom random = new SplittableRandom(42);
    ColumnCodec[] codecs = {
      codec(CanonicalType.DOUBLE, rule("0.01", null, null, null, null, null)),
      codec(CanonicalType.DOUBLE, rule(null, "0.001", null, null, null, null)),
      codec(CanonicalType.DOUBLE, rule("0.0001", "0.01", null, null, null, null)),
    };
    int sameHashes = 0;
    for (ColumnCodec c : codecs) {
      for (int n = 0; n < 20_000; n++) {
        double a = (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(-3, 4));
        double b = a + (random.nextDouble() - 0.5) * Math.abs(a) * 0.05 * random.nextDouble();
        if (sameHash(c, a, b)) {
          sameHashes++;
          assertTrue(ComparisonRules.equal(c, a, b), c.rule() + ": " + a + " vs " + b);
        }
      }
    }
    assertTrue(sameHashes > 1000, "the loop exercises equal hashes: " + sameHashes);
  }

  @Test
  void quantisedValuesHaveTheirOwnTag() {
    ColumnCodec c = codec(CanonicalType.DOUBLE, rule("1", null, null, null, null, null));
    byte[] e = CanonicalEncoder.encode(c, 3.7);
    assertEquals(CanonicalEncoder.QUANTISED_TAG, e[0]);
    assertArrayEquals(CanonicalEncoder.encode(c, 3.2), e);
    assertEquals(CanonicalEncoder.NULL_TAG, CanonicalEncoder.encode(c, null)[0]);
  }
}
