package io.migrationstudio.core.canonical;

import io.migrationstudio.core.schema.CanonicalType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.Locale;
import java.util.Objects;

/**
 * Converts one source column's JDBC value into the Java value of its target column's codec (the
 * representation {@link ColumnCodec#read} gives on the target), for copies between different
 * engines, where the source SELECT is plain and cannot cast to PostgreSQL types.
 *
 * <p>The rules, by target canonical type:
 *
 * <ul>
 *   <li>BOOLEAN: true/false, 0/1 (MySQL {@code tinyint(1)}, SQLite integers), {@code t}/{@code f},
 *       a one-bit {@code bit(1)} byte; any other number is unconvertible (it is not a boolean);
 *   <li>integers: any integral number, a MySQL {@code YEAR} (read as its number), integral text;
 *       fractions and text that is no integer are unconvertible;
 *   <li>DECIMAL: exact, from the driver's BigDecimal/BigInteger (unsigned bigint) or the decimal
 *       text (never through a double); REAL/DOUBLE from numbers or numeric text;
 *   <li>DATE, TIMESTAMP, TIME: parsed from the ISO-8601 text both MySQL and SQLite give ({@code
 *       2024-01-31}, {@code 2024-01-31 12:00:00.5}, {@code T} accepted); MySQL zero dates ({@code
 *       0000-00-00...}) are unconvertible unless the mapping decides them with a CEL transform that
 *       handles null (a zero date reads as {@code null} there, e.g. {@code col == null ? null :
 *       col}); a date target refuses a time of day other than midnight, a time target MySQL's times
 *       outside a day;
 *   <li>INTERVAL from a MySQL {@code time}: every value of its ±838 hours, as PostgreSQL's text of
 *       the interval ({@link #interval});
 *   <li>TIMESTAMPTZ: text with an offset keeps it; a MySQL {@code timestamp} is an instant, read
 *       from the server's text in the session zone, which the MariaDB dialect pins to UTC;
 *       offset-less text (SQLite, a MySQL {@code datetime}) is read in the column's {@code
 *       source_time_zone} (default UTC, as SQLite's own date functions write it); a wall time a
 *       daylight-saving gap skips moves forward by the gap, one an overlap repeats takes the
 *       earlier offset ({@link java.time.ZonedDateTime#of});
 *   <li>ARRAY (a {@code text[]} target, e.g. a MySQL {@code SET}): the source's comma-separated
 *       members, in the order the source gives them (MySQL: the order of the SET definition), as
 *       PostgreSQL writes a one-dimensional text array ({@link #textArray}), which is the array's
 *       canonical text; the empty string (the empty set) is the empty array {@code {}}, and a
 *       source value that is already an array keeps its text;
 *   <li>BYTES: the bytes; text types, JSON, UUID, enums and the rest: the source's text.
 * </ul>
 *
 * The same converter serves Migrate, the compatibility review's dry run and measurements, and
 * validation, so "the source row as transformed" is one thing.
 */
public final class ValueConverter {
  private static final DateTimeFormatter TIME =
      new DateTimeFormatterBuilder()
          .appendPattern("HH:mm")
          .optionalStart()
          .appendPattern(":ss")
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
          .optionalEnd()
          .optionalEnd()
          .toFormatter(Locale.ROOT);

  private final ColumnCodec target;
  private final CanonicalType source;
  private final ZoneId zone;

  /** A converter from a source column of canonical type {@code source} to {@code target}. */
  public ValueConverter(CanonicalType source, ColumnCodec target) {
    this(source, target, null);
  }

  /**
   * A converter reading offset-less source timestamps in {@code zone} when the target is
   * TIMESTAMPTZ (null: UTC).
   */
  public ValueConverter(CanonicalType source, ColumnCodec target, ZoneId zone) {
    this.source = Objects.requireNonNull(source, "source canonical type is required");
    this.target = Objects.requireNonNull(target, "target codec is required");
    this.zone = zone == null ? ZoneOffset.UTC : zone;
  }

  public ColumnCodec target() {
    return target;
  }

  /** Reads column {@code i} of the current source row as the target value (null for NULL). */
  public Object read(ResultSet rs, int i) throws SQLException {
    return switch (target.type()) {
      case BYTES -> rs.getBytes(i);
      case TIMESTAMPTZ ->
          source == CanonicalType.TIMESTAMPTZ ? instant(rs, i) : convert(rs.getString(i));
      case DATE, TIME, TIMESTAMP, ARRAY, INTERVAL -> convert(rs.getString(i));
      case BOOLEAN, SMALLINT, INTEGER, BIGINT, DECIMAL, REAL, DOUBLE -> {
        Object o = rs.getObject(i);
        // the driver may report a tinyint(1) as Boolean; its text keeps the stored number
        yield convert(o instanceof Boolean ? rs.getString(i) : o);
      }
      default -> readsText() ? text(rs.getBytes(i)) : rs.getString(i);
    };
  }

  /**
   * Whether the source is character data the driver would decode (and so must be read strictly).
   */
  private boolean readsText() {
    return source.isText() || source == CanonicalType.JSON || source == CanonicalType.ENUM;
  }

  /**
   * Text from the bytes the server sent (UTF-8: the MariaDB driver's connection character set is
   * utf8mb4, SQLite stores UTF-8), decoded strictly: a byte sequence that is not UTF-8 (a MariaDB
   * utf8mb4 column can hold {@code ED A0 80}, a surrogate) is {@link Unconvertible}, never the
   * driver's U+FFFD.
   */
  private Object text(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    int invalid = firstInvalidUtf8(bytes);
    return invalid < 0
        ? new String(bytes, java.nio.charset.StandardCharsets.UTF_8)
        : invalidText(bytes, invalid);
  }

  /** The offset of the first byte that starts no valid UTF-8 sequence; -1 when all are valid. */
  public static int firstInvalidUtf8(byte[] bytes) {
    java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
    java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length);
    java.nio.charset.CoderResult r =
        java.nio.charset.StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
            .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
            .decode(in, out, true);
    return r.isError() ? in.position() : -1;
  }

  /**
   * The reason of a value whose bytes are not valid in its character set, with the first offset.
   */
  private Unconvertible invalidText(byte[] bytes, int offset) {
    String raw = "\\x" + java.util.HexFormat.of().formatHex(bytes);
    return new Unconvertible(
        raw,
        "column "
            + target.name()
            + " holds bytes that are not valid UTF-8 ("
            + raw
            + ", first invalid byte at offset "
            + offset
            + "); the driver would have read U+FFFD in their place. Repair the value in the"
            + " source, or decide it in mapping.yaml (a transform that handles null, where such"
            + " a value reads as null, or map the column to bytea)");
  }

  /** Converts a value as a driver returns it (the pure part of {@link #read}). */
  public Object convert(Object value) {
    if (value == null) {
      return null;
    }
    try {
      return switch (target.type()) {
        case BOOLEAN -> bool(value);
        case SMALLINT, INTEGER, BIGINT -> integer(value);
        case DECIMAL -> decimal(value);
        case REAL -> number(value).floatValue();
        case DOUBLE -> number(value).doubleValue();
        case DATE -> date(value.toString());
        case TIME -> time(value.toString());
        case TIMESTAMP -> timestamp(value.toString());
        case TIMESTAMPTZ -> value instanceof OffsetDateTime o ? o : timestamptz(value.toString());
        case INTERVAL ->
            source == CanonicalType.TIME ? interval(value.toString()) : value.toString();
        case ARRAY ->
            source == CanonicalType.ARRAY ? value.toString() : textArray(members(value.toString()));
        case BYTES ->
            value instanceof byte[] b
                ? b
                : value.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        default ->
            value instanceof byte[] b
                ? new String(b, java.nio.charset.StandardCharsets.UTF_8)
                : value.toString();
      };
    } catch (NumberFormatException
        | ArithmeticException
        | DateTimeParseException
        | IndexOutOfBoundsException e) {
      return unconvertible(
          value, "is not a valid " + target.type().name().toLowerCase(Locale.ROOT));
    }
  }

  /** A MySQL SET value's members: {@code a,b} → [a, b]; the empty set {@code ""} → []. */
  static java.util.List<String> members(String set) {
    return set.isEmpty() ? java.util.List.of() : java.util.List.of(set.split(",", -1));
  }

  /**
   * A one-dimensional text array as PostgreSQL's {@code array_out} writes it, so a converted value
   * equals the target's text of it: {@code {a,"b c",""}}. An element is double-quoted when it is
   * empty, is {@code NULL} in any case, or holds a brace, comma, double quote, backslash or white
   * space; inside quotes, double quotes and backslashes are backslash-escaped.
   */
  public static String textArray(java.util.List<String> elements) {
    return textArray(elements.toArray());
  }

  /**
   * {@link #textArray(java.util.List)} of a JDBC array's elements: strings, {@code null} (written
   * {@code NULL}) and nested arrays (a multi-dimensional array, {@code {{a,b},{c,d}}}); null when
   * an element is anything else (the caller then uses the driver's text).
   */
  public static String textArray(Object[] elements) {
    StringBuilder out = new StringBuilder();
    return appendArray(elements, out) ? out.toString() : null;
  }

  private static boolean appendArray(Object[] elements, StringBuilder out) {
    out.append('{');
    for (int i = 0; i < elements.length; i++) {
      if (i > 0) {
        out.append(',');
      }
      Object element = elements[i];
      if (element == null) {
        out.append("NULL");
        continue;
      }
      if (element instanceof Object[] nested) {
        if (!appendArray(nested, out)) {
          return false;
        }
        continue;
      }
      if (!(element instanceof String e)) {
        return false;
      }
      boolean quote = e.isEmpty() || e.equalsIgnoreCase("NULL");
      for (int k = 0; k < e.length() && !quote; k++) {
        char ch = e.charAt(k);
        quote =
            ch == '{'
                || ch == '}'
                || ch == ','
                || ch == '"'
                || ch == '\\'
                || ch == ' '
                || ch == '\t'
                || ch == '\n'
                || ch == '\r'
                || ch == '\u000B'
                || ch == '\f';
      }
      if (!quote) {
        out.append(e);
        continue;
      }
      out.append('"');
      for (int k = 0; k < e.length(); k++) {
        char ch = e.charAt(k);
        if (ch == '"' || ch == '\\') {
          out.append('\\');
        }
        out.append(ch);
      }
      out.append('"');
    }
    out.append('}');
    return true;
  }

  /**
   * A source instant (a MySQL {@code timestamp}) from the text the server sends, which is in the
   * session's time zone: {@code +00:00} on every connection {@code Dialects.open} makes (the
   * MariaDB dialect pins it), so the text is read as UTC here, never in the JVM's default zone.
   */
  private Object instant(ResultSet rs, int i) throws SQLException {
    String text = rs.getString(i);
    if (text == null) {
      return null;
    }
    if (isZeroDate(text)) {
      return zeroDate(text);
    }
    try {
      return instantInUtc(text);
    } catch (DateTimeParseException | IndexOutOfBoundsException e) {
      return unconvertible(text, "is not a valid timestamp");
    }
  }

  private static OffsetDateTime instantInUtc(String text) {
    String t = text.trim();
    LocalDateTime local = t.length() == 10 ? LocalDate.parse(t).atStartOfDay() : parseTimestamp(t);
    return local.atOffset(ZoneOffset.UTC);
  }

  private Object bool(Object value) {
    if (value instanceof Boolean b) {
      return b;
    }
    if (value instanceof byte[] bits) {
      return bits.length == 1 && (bits[0] == 0 || bits[0] == 1)
          ? bits[0] == 1
          : unconvertible(value, "is not a single bit");
    }
    String s = value.toString().trim().toLowerCase(Locale.ROOT);
    return switch (s) {
      case "1", "t", "true" -> Boolean.TRUE;
      case "0", "f", "false" -> Boolean.FALSE;
      default -> unconvertible(value, "is not a boolean (only 0/1 and true/false are)");
    };
  }

  private Object integer(Object value) {
    if (value instanceof BigInteger b) {
      return b;
    }
    if (value instanceof Long
        || value instanceof Integer
        || value instanceof Short
        || value instanceof Byte) {
      return BigInteger.valueOf(((Number) value).longValue());
    }
    if (value instanceof java.sql.Date d) {
      return BigInteger.valueOf(d.toLocalDate().getYear()); // MySQL YEAR as a date
    }
    if (value instanceof LocalDate d) {
      return BigInteger.valueOf(d.getYear());
    }
    BigDecimal d = value instanceof BigDecimal b ? b : new BigDecimal(value.toString().trim());
    return d.toBigIntegerExact();
  }

  private Object decimal(Object value) {
    if (value instanceof BigDecimal b) {
      return b;
    }
    if (value instanceof BigInteger b) {
      return new BigDecimal(b);
    }
    if (value instanceof Double d && (d.isNaN() || d.isInfinite())) {
      return d;
    }
    return new BigDecimal(value.toString().trim());
  }

  private static Number number(Object value) {
    return value instanceof Number n ? n : Double.valueOf(value.toString().trim());
  }

  private Object date(String text) {
    if (isZeroDate(text)) {
      return zeroDate(text);
    }
    String t = text.trim();
    if (t.length() > 10) {
      LocalDateTime ts = parseTimestamp(t);
      if (!ts.toLocalTime().equals(LocalTime.MIDNIGHT)) {
        return unconvertible(text, "has a time of day, which a date column would cut off");
      }
      return ts.toLocalDate();
    }
    return LocalDate.parse(t);
  }

  private Object time(String text) {
    String t = text.trim();
    if (t.startsWith("-") || t.indexOf(':') > 2) {
      return unconvertible(text, "is outside a day (MySQL allows ±838 hours; PostgreSQL time not)");
    }
    return LocalTime.parse(t.length() == 7 ? "0" + t : t, TIME);
  }

  /**
   * A MySQL time ({@code [-]H:MM:SS[.ffffff]}, ±838 hours) as the interval text PostgreSQL writes
   * for it ({@code IntervalStyle} postgres): sign, hours in at least two digits, minutes, seconds,
   * the fraction without trailing zeros ({@code -12:34:56.500000} → {@code -12:34:56.5}).
   */
  static String interval(String text) {
    String t = text.trim();
    boolean negative = t.startsWith("-");
    String[] parts = (negative ? t.substring(1) : t).split(":", -1);
    if (parts.length != 3
        || parts[1].length() != 2
        || parts[2].length() < 2
        || !(parts[0] + parts[1] + parts[2].replace(".", "")).chars().allMatch(Character::isDigit)
        || parts[0].isEmpty()) {
      throw new DateTimeParseException("not a time", text, 0);
    }
    String seconds = parts[2];
    int dot = seconds.indexOf('.');
    if (dot >= 0) {
      String fraction = seconds.substring(dot + 1).replaceFirst("0+$", "");
      seconds = seconds.substring(0, dot) + (fraction.isEmpty() ? "" : "." + fraction);
    }
    String hours = Long.toString(Long.parseLong(parts[0]));
    boolean zero = hours.equals("0") && parts[1].equals("00") && seconds.equals("00");
    return (negative && !zero ? "-" : "")
        + (hours.length() < 2 ? "0" + hours : hours)
        + ":"
        + parts[1]
        + ":"
        + seconds;
  }

  private Object timestamp(String text) {
    if (isZeroDate(text)) {
      return zeroDate(text);
    }
    String t = text.trim();
    if (t.endsWith("Z")
        || t.matches(".*[T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?[+-]\\d{2}(:?\\d{2})?$")) {
      return unconvertible(text, "carries a time-zone offset; map it to timestamptz");
    }
    return t.length() == 10 ? LocalDate.parse(t).atStartOfDay() : parseTimestamp(t);
  }

  private Object timestamptz(String text) {
    if (isZeroDate(text)) {
      return zeroDate(text);
    }
    String t = text.trim().replace(' ', 'T');
    if (t.endsWith("Z")) {
      return OffsetDateTime.parse(t).withOffsetSameInstant(ZoneOffset.UTC);
    }
    if (t.matches(".*T.*[+-]\\d{2}(:?\\d{2})?$")) {
      String fixed = t.matches(".*[+-]\\d{2}$") ? t + ":00" : t;
      return OffsetDateTime.parse(fixed);
    }
    LocalDateTime local = t.length() == 10 ? LocalDate.parse(t).atStartOfDay() : parseTimestamp(t);
    return local.atZone(zone).withZoneSameInstant(ZoneOffset.UTC).toOffsetDateTime();
  }

  private static LocalDateTime parseTimestamp(String t) {
    String iso = t.replace(' ', 'T');
    int at = iso.indexOf('T');
    LocalDate date = LocalDate.parse(iso.substring(0, at));
    String clock = iso.substring(at + 1);
    return date.atTime(LocalTime.parse(clock.length() == 7 ? "0" + clock : clock, TIME));
  }

  /** MySQL's zero date and zero-in-date values ({@code 0000-00-00}, {@code 2024-00-10}). */
  public static boolean isZeroDate(String text) {
    String t = text.trim();
    return t.length() >= 10
        && (t.startsWith("0000-") || t.startsWith("-00", 4) || t.startsWith("-00", 7));
  }

  private Unconvertible zeroDate(String text) {
    return new Unconvertible(
        text,
        "column "
            + target.name()
            + " holds the MySQL zero date '"
            + text
            + "', which PostgreSQL has no value for; decide it in mapping.yaml with a transform"
            + " that handles null, where a zero date reads as null (e.g. expression: column =="
            + " null ? null : column, for NULL)");
  }

  private Unconvertible unconvertible(Object value, String why) {
    String raw =
        value instanceof byte[] b
            ? "\\x" + java.util.HexFormat.of().formatHex(b)
            : String.valueOf(value);
    return new Unconvertible(
        raw,
        "column "
            + target.name()
            + ": value '"
            + raw
            + "' "
            + why
            + " for target type "
            + target.type().name().toLowerCase(Locale.ROOT)
            + "; change the type or transform the value in mapping.yaml");
  }
}
