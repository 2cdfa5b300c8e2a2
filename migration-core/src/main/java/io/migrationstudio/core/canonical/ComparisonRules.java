package io.migrationstudio.core.canonical;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Locale;

/**
 * Applies a column's {@link ComparisonRule} to its values, the same way for every check.
 *
 * <p>Trim, case, precision and time zone are exact canonicalisations: a value is rewritten ({@link
 * #exact}) before it is encoded, so equal-under-the-rule values hash equally and a hash stays
 * exact. A numeric tolerance is not an equivalence (1.0 ≈ 1.1 ≈ 1.2 does not make 1.0 ≈ 1.2), so
 * hashes use a quantised value instead ({@link #forHash}): the number's bucket of width {@code
 * tolerance} (or, for a relative tolerance, its mantissa truncated to enough digits that one bucket
 * is narrower than the tolerance). Two values in one bucket are always within tolerance, so a
 * difference beyond tolerance always changes the hash; two values within tolerance may still
 * straddle a bucket boundary, which only sends the chunk to the row diff, where {@link #equal}
 * applies the exact rule and reports nothing.
 */
public final class ComparisonRules {
  private ComparisonRules() {}

  /** The bucket of a number under a tolerance; encoded with its own tag. */
  record Quantised(String bucket) {}

  /** {@code value} canonicalised by the exact parts of its codec's rule (no rule: unchanged). */
  public static Object exact(ColumnCodec codec, Object value) {
    ComparisonRule rule = codec.rule();
    if (rule == null || value == null || value instanceof Unconvertible) {
      return value;
    }
    if (value instanceof String s) {
      String out = s;
      if (Boolean.TRUE.equals(rule.trim())) {
        out = out.strip();
      }
      if (Boolean.TRUE.equals(rule.ignoreCase())) {
        out = out.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
      }
      return out;
    }
    long unit = rule.precisionMicros();
    ZoneId zone = rule.zone();
    if (value instanceof LocalDateTime t) {
      if (t.equals(LocalDateTime.MAX) || t.equals(LocalDateTime.MIN)) {
        return t;
      }
      if (zone != null) {
        return round(t.atZone(zone).toOffsetDateTime().withOffsetSameInstant(ZoneOffset.UTC), unit);
      }
      return unit == 1 ? t : round(t.atOffset(ZoneOffset.UTC), unit).toLocalDateTime();
    }
    if (value instanceof OffsetDateTime t) {
      if (t.equals(OffsetDateTime.MAX) || t.equals(OffsetDateTime.MIN)) {
        return t;
      }
      return round(t.withOffsetSameInstant(ZoneOffset.UTC), unit);
    }
    if (value instanceof LocalTime t && unit > 1) {
      long micros = roundMicros(t.toNanoOfDay() / 1000L, unit);
      return LocalTime.ofNanoOfDay(Math.min(micros, 86_399_999_999L) * 1000L);
    }
    return value;
  }

  /** The value hashed for a column: {@link #exact}, then the tolerance bucket of a number. */
  static Object forHash(ColumnCodec codec, Object value) {
    Object v = exact(codec, value);
    ComparisonRule rule = codec.rule();
    if (rule == null || !rule.hasTolerance()) {
      return v;
    }
    BigDecimal d = number(v);
    if (d == null) {
      return v;
    }
    if (rule.tolerance() != null && rule.tolerance().signum() > 0) {
      BigInteger bucket = d.divide(rule.tolerance(), 0, RoundingMode.FLOOR).toBigIntegerExact();
      return new Quantised("a" + bucket);
    }
    if (d.signum() == 0) {
      return new Quantised("r0");
    }
    int digits = digits(rule.relativeTolerance());
    return new Quantised(
        "r" + d.round(new MathContext(digits, RoundingMode.DOWN)).stripTrailingZeros());
  }

  /**
   * The significant digits whose truncation leaves buckets narrower than {@code relative}: the
   * least d with 10^(1-d) <= relative.
   */
  static int digits(BigDecimal relative) {
    int d = 1;
    while (BigDecimal.ONE.scaleByPowerOfTen(1 - d).compareTo(relative) > 0) {
      d++;
    }
    return d;
  }

  /** Whether two values of a column are equal under its rule (exact rule, tolerance included). */
  public static boolean equal(ColumnCodec codec, Object a, Object b) {
    Object x = exact(codec, a);
    Object y = exact(codec, b);
    ComparisonRule rule = codec.rule();
    if (rule != null && rule.hasTolerance()) {
      BigDecimal p = number(x);
      BigDecimal q = number(y);
      if (p != null && q != null) {
        return within(rule, p, q);
      }
    }
    return Arrays.equals(
        CanonicalEncoder.encodePlain(codec, x), CanonicalEncoder.encodePlain(codec, y));
  }

  static boolean within(ComparisonRule rule, BigDecimal a, BigDecimal b) {
    BigDecimal diff = a.subtract(b).abs();
    if (rule.tolerance() != null && diff.compareTo(rule.tolerance()) <= 0) {
      return true;
    }
    if (rule.relativeTolerance() != null) {
      BigDecimal max = a.abs().max(b.abs());
      return diff.compareTo(rule.relativeTolerance().multiply(max)) <= 0;
    }
    return false;
  }

  /** A finite number as an exact BigDecimal; null for anything else (NaN, infinities, text). */
  static BigDecimal number(Object v) {
    if (v instanceof BigDecimal d) {
      return d;
    }
    if (v instanceof BigInteger i) {
      return new BigDecimal(i);
    }
    if (v instanceof Double d) {
      return d.isNaN() || d.isInfinite() ? null : new BigDecimal(d);
    }
    if (v instanceof Float f) {
      return f.isNaN() || f.isInfinite() ? null : new BigDecimal((double) f);
    }
    return null;
  }

  private static OffsetDateTime round(OffsetDateTime t, long unit) {
    if (unit == 1) {
      return t;
    }
    long micros = t.toEpochSecond() * 1_000_000L + t.getNano() / 1000L;
    long r = roundMicros(micros, unit);
    return OffsetDateTime.ofInstant(
        java.time.Instant.ofEpochSecond(
            Math.floorDiv(r, 1_000_000L), Math.floorMod(r, 1_000_000L) * 1000L),
        ZoneOffset.UTC);
  }

  /**
   * Rounds to a multiple of {@code unit}, half away from zero (as PostgreSQL rounds timestamps).
   */
  static long roundMicros(long micros, long unit) {
    if (micros >= 0) {
      return (micros + unit / 2) / unit * unit;
    }
    return -(((-micros) + unit / 2) / unit * unit);
  }
}
