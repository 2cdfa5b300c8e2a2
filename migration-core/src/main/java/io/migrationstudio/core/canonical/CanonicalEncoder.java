package io.migrationstudio.core.canonical;

import io.migrationstudio.core.schema.CanonicalType;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;

/**
 * The canonical encoding of a value (DESIGN §4): one typed, length-prefixed byte string per value,
 * the same on every engine, so hashes over it compare across engines without false mismatches.
 *
 * <p>Layout: a one-byte tag, then (except for NULL) a 4-byte big-endian length and the payload.
 * NULL is the single tag byte {@code 'N'}, so it can never equal the empty string ({@code 'S'}
 * followed by length 0). The length prefix makes concatenated values unambiguous: ("ab","c") and
 * ("a","bc") encode differently.
 *
 * <p>Payloads by canonical type:
 *
 * <ul>
 *   <li>integers ({@code I}): decimal digits, so int 5 and bigint 5 are equal;
 *   <li>decimals ({@code D}): plain notation at the column's declared scale (1.5 and 1.50 in a
 *       numeric(p,2) are both {@code 1.50}, rounded half-up as PostgreSQL does on insert); without
 *       a declared scale trailing zeros are stripped (1.50 → {@code 1.5}, 0.00 → {@code 0}) because
 *       an unconstrained numeric's display scale is not part of its value; NaN and ±Infinity spelt
 *       out;
 *   <li>floats ({@code F}): Java's {@code Float/Double.toString}, which is deterministic and
 *       round-trips exactly; -0.0 is written as 0.0 (they compare equal in SQL);
 *   <li>booleans ({@code B}): one byte, 1 or 0;
 *   <li>dates ({@code d}): days since 1970-01-01; times ({@code t}): microseconds of the day;
 *   <li>timestamps without time zone ({@code T}): the wall-clock reading as microseconds since
 *       1970-01-01T00:00 (no zone applied: the value has none); timestamps with time zone ({@code
 *       Z}): the instant in UTC microseconds, so 10:00+02 equals 08:00Z; ±infinity spelt out;
 *   <li>text ({@code S}): UTF-8; char(n) loses trailing blanks (they are padding, not data);
 *   <li>bytes ({@code X}): raw; anything else ({@code V}: uuid, json, interval, arrays, enums): the
 *       engine's text form, UTF-8. Arrays are PostgreSQL's array text ({@code {a,"b c"}}); a
 *       cross-engine source value bound for an array (a MySQL SET) is brought to that same text by
 *       {@link ValueConverter#textArray}.
 * </ul>
 *
 * <p>A column with a comparison rule ({@link ComparisonRules}) is encoded after the rule: trimmed,
 * case-folded, rounded to its precision or turned into an instant; a number with a tolerance as its
 * bucket ({@code q}).
 */
public final class CanonicalEncoder {
  public static final byte NULL_TAG = 'N';

  /** The tag of an {@link Unconvertible} source value (cross-engine copies only). */
  public static final byte UNCONVERTIBLE_TAG = '!';

  /** The tag of a number's tolerance bucket (columns with a tolerance rule). */
  public static final byte QUANTISED_TAG = 'q';

  private static final long MICROS_PER_SECOND = 1_000_000L;

  private CanonicalEncoder() {}

  /** The encoding of one value read with {@code codec}. */
  public static byte[] encode(ColumnCodec codec, Object value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16);
    encode(codec, value, out);
    return out.toByteArray();
  }

  /**
   * Appends the encoding of one value to {@code out}, after the codec's comparison rule ({@link
   * ComparisonRules#forHash}): what chunk and row hashes are made of.
   */
  public static void encode(ColumnCodec codec, Object value, ByteArrayOutputStream out) {
    if (codec.rule() == null) {
      encodeValue(codec, value, out);
      return;
    }
    Object v = ComparisonRules.forHash(codec, value);
    if (v instanceof ComparisonRules.Quantised q) {
      writeText(out, QUANTISED_TAG, q.bucket());
      return;
    }
    encodeValue(codec, v, out);
  }

  /** The encoding of one value as it is, without the codec's comparison rule. */
  public static byte[] encodePlain(ColumnCodec codec, Object value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16);
    encodeValue(codec, value, out);
    return out.toByteArray();
  }

  /** {@code tag}, then {@code text} as UTF-8 behind its length (four bytes, big-endian). */
  private static void writeText(ByteArrayOutputStream out, int tag, String text) {
    byte[] raw = text.getBytes(StandardCharsets.UTF_8);
    out.write(tag);
    out.write(raw.length >>> 24);
    out.write(raw.length >>> 16);
    out.write(raw.length >>> 8);
    out.write(raw.length);
    out.write(raw, 0, raw.length);
  }

  private static void encodeValue(ColumnCodec codec, Object value, ByteArrayOutputStream out) {
    if (value == null) {
      out.write(NULL_TAG);
      return;
    }
    if (value instanceof Unconvertible u) {
      // its own tag: a source value without a target value never equals any target value
      writeText(out, UNCONVERTIBLE_TAG, u.raw());
      return;
    }
    CanonicalType type = codec.type();
    if (type.isInteger() && writeLong(value, out)) {
      return;
    }
    byte tag = tag(type);
    byte[] payload =
        type == CanonicalType.BYTES
            ? (byte[]) value
            : type == CanonicalType.BOOLEAN
                ? new byte[] {(byte) (((Boolean) value) ? 1 : 0)}
                : text(codec, value).getBytes(StandardCharsets.UTF_8);
    out.write(tag);
    int n = payload.length;
    out.write(n >>> 24);
    out.write(n >>> 16);
    out.write(n >>> 8);
    out.write(n);
    out.write(payload, 0, n);
  }

  private static final long[] POWERS_OF_TEN = new long[19];

  static {
    POWERS_OF_TEN[0] = 1;
    for (int i = 1; i < POWERS_OF_TEN.length; i++) {
      POWERS_OF_TEN[i] = POWERS_OF_TEN[i - 1] * 10;
    }
  }

  /**
   * Writes an integer that fits a long (but is not Long.MIN_VALUE) as {@link #text} would, the
   * decimal digits straight into {@code out} without a String or byte[] per value; returns false
   * (nothing written) for any other value.
   */
  private static boolean writeLong(Object value, ByteArrayOutputStream out) {
    long v;
    if (value instanceof Integer || value instanceof Long || value instanceof Short) {
      v = ((Number) value).longValue();
    } else if (value instanceof BigInteger b && b.bitLength() < 64) {
      v = b.longValue();
    } else {
      return false;
    }
    if (v == Long.MIN_VALUE) {
      return false;
    }
    long a = Math.abs(v);
    int digits = 1;
    while (digits < POWERS_OF_TEN.length && a >= POWERS_OF_TEN[digits]) {
      digits++;
    }
    int n = digits + (v < 0 ? 1 : 0);
    out.write('I');
    out.write(n >>> 24);
    out.write(n >>> 16);
    out.write(n >>> 8);
    out.write(n);
    if (v < 0) {
      out.write('-');
    }
    for (int d = digits - 1; d >= 0; d--) {
      long p = POWERS_OF_TEN[d];
      out.write('0' + (int) (a / p));
      a %= p;
    }
    return true;
  }

  /**
   * The canonical payload as readable text (what reports show for a key or a differing value):
   * bytes as {@code \x} hex, booleans as true/false, NULL as the word NULL.
   */
  public static String display(ColumnCodec codec, Object value) {
    if (value == null) {
      return "NULL";
    }
    if (value instanceof Unconvertible u) {
      return "unconvertible '" + u.raw() + "'";
    }
    if (codec.type() == CanonicalType.BYTES) {
      return "\\x" + HexFormat.of().formatHex((byte[]) value);
    }
    if (codec.type() == CanonicalType.BOOLEAN) {
      return value.toString();
    }
    return switch (codec.type()) {
      case DATE, TIME, TIMESTAMP, TIMESTAMPTZ -> value.toString();
      default -> text(codec, value);
    };
  }

  private static byte tag(CanonicalType type) {
    return switch (type) {
      case SMALLINT, INTEGER, BIGINT -> 'I';
      case DECIMAL -> 'D';
      case REAL, DOUBLE -> 'F';
      case BOOLEAN -> 'B';
      case DATE -> 'd';
      case TIME -> 't';
      case TIMESTAMP -> 'T';
      case TIMESTAMPTZ -> 'Z';
      case CHAR, VARCHAR, TEXT -> 'S';
      case BYTES -> 'X';
      default -> 'V';
    };
  }

  /** The text payload of a non-null, non-bytes, non-boolean value. */
  static String text(ColumnCodec codec, Object value) {
    return switch (codec.type()) {
      case SMALLINT, INTEGER, BIGINT ->
          value instanceof BigInteger b
              ? (b.bitLength() < 64 ? Long.toString(b.longValue()) : b.toString()) // same digits
              : value instanceof Long || value instanceof Integer || value instanceof Short
                  ? Long.toString(((Number) value).longValue()) // same digits, no BigInteger
                  : new BigInteger(value.toString()).toString();
      case DECIMAL -> decimal(value, codec.scale());
      case REAL -> floatText(((Number) value).floatValue());
      case DOUBLE -> doubleText(((Number) value).doubleValue());
      case DATE -> Long.toString(((LocalDate) value).toEpochDay());
      case TIME -> Long.toString(((LocalTime) value).toNanoOfDay() / 1000L);
      case TIMESTAMP, TIMESTAMPTZ ->
          // a time_zone rule turns wall-clock values into instants (ComparisonRules#exact)
          value instanceof OffsetDateTime o ? timestamptz(o) : timestamp((LocalDateTime) value);
      case CHAR -> stripTrailingBlanks(value.toString());
      default -> value.toString();
    };
  }

  static String decimal(Object value, Integer scale) {
    if (value instanceof Double d) {
      return d.isNaN() ? "NaN" : d > 0 ? "Infinity" : "-Infinity";
    }
    BigDecimal d = value instanceof BigDecimal b ? b : new BigDecimal(value.toString());
    if (scale != null) {
      return d.setScale(scale, RoundingMode.HALF_UP).toPlainString();
    }
    BigDecimal stripped = d.stripTrailingZeros();
    return stripped.signum() == 0 ? "0" : stripped.toPlainString();
  }

  static String floatText(float f) {
    return f == 0.0f ? "0.0" : Float.toString(f);
  }

  static String doubleText(double d) {
    return d == 0.0d ? "0.0" : Double.toString(d);
  }

  static String timestamp(LocalDateTime t) {
    if (t.equals(LocalDateTime.MAX)) {
      return "infinity";
    }
    if (t.equals(LocalDateTime.MIN)) {
      return "-infinity";
    }
    return Long.toString(t.toEpochSecond(ZoneOffset.UTC) * MICROS_PER_SECOND + t.getNano() / 1000L);
  }

  static String timestamptz(OffsetDateTime t) {
    if (t.equals(OffsetDateTime.MAX)) {
      return "infinity";
    }
    if (t.equals(OffsetDateTime.MIN)) {
      return "-infinity";
    }
    return Long.toString(t.toEpochSecond() * MICROS_PER_SECOND + t.getNano() / 1000L);
  }

  private static String stripTrailingBlanks(String s) {
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == ' ') {
      end--;
    }
    return s.substring(0, end);
  }
}
