package io.migrationstudio.core.copy;

import io.migrationstudio.core.canonical.ColumnCodec;
import io.migrationstudio.core.canonical.Unconvertible;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Locale;

/**
 * PostgreSQL's COPY text format for one value read by a {@link ColumnCodec}: NULL is {@code \N};
 * backslash, newline, carriage return and tab are backslash-escaped (so the text {@code \N} stays
 * text); everything is written in forms PostgreSQL's input functions accept exactly (plain
 * decimals, round-tripping floats, ISO dates with {@code BC}, UTC timestamps with {@code +00},
 * {@code \\x} hex for bytes, infinities spelt out).
 */
public final class CopyText {
  public static final String NULL = "\\N";

  private CopyText() {}

  /** Appends a value's COPY text to {@code out}. */
  public static void append(ColumnCodec codec, Object value, StringBuilder out) {
    if (value == null) {
      out.append(NULL);
      return;
    }
    switch (codec.type()) {
      case BOOLEAN -> out.append(((Boolean) value) ? 't' : 'f');
      case DECIMAL ->
          out.append(value instanceof BigDecimal d ? d.toPlainString() : special((Double) value));
      case REAL -> {
        float f = ((Number) value).floatValue();
        out.append(Float.isFinite(f) ? Float.toString(f) : special((double) f));
      }
      case DOUBLE -> {
        double d = ((Number) value).doubleValue();
        out.append(Double.isFinite(d) ? Double.toString(d) : special(d));
      }
      case DATE -> out.append(date((LocalDate) value));
      case TIME -> out.append(((LocalTime) value).toString());
      case TIMESTAMP -> out.append(timestamp((LocalDateTime) value));
      case TIMESTAMPTZ -> out.append(timestamptz((OffsetDateTime) value));
      case BYTES -> out.append("\\\\x").append(HexFormat.of().formatHex((byte[]) value));
      default -> escape(value.toString(), out);
    }
  }

  /**
   * A value's text as PostgreSQL's input function reads it (the COPY text before COPY's escaping):
   * what a statement binds for it; null for NULL.
   */
  public static String literal(ColumnCodec codec, Object value) {
    if (value == null) {
      return null;
    }
    if (codec.type() == io.migrationstudio.core.schema.CanonicalType.BYTES) {
      return "\\x" + HexFormat.of().formatHex((byte[]) value);
    }
    StringBuilder out = new StringBuilder();
    append(codec, value, out);
    return switch (codec.type()) {
      case BOOLEAN, DECIMAL, REAL, DOUBLE, DATE, TIME, TIMESTAMP, TIMESTAMPTZ -> out.toString();
      default -> value.toString();
    };
  }

  /** Escapes text for COPY: backslash, newline, carriage return, tab. */
  public static void escape(String s, StringBuilder out) {
    int first = firstSpecial(s);
    if (first < 0) {
      out.append(s); // the common case: one bulk append instead of one per character
      return;
    }
    out.append(s, 0, first);
    for (int i = first; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> out.append(c);
      }
    }
  }

  /** The index of the first character COPY needs escaped, or -1. */
  private static int firstSpecial(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' || c == '\n' || c == '\r' || c == '\t') {
        return i;
      }
    }
    return -1;
  }

  /**
   * Why a value cannot be written to PostgreSQL at all, or null when it can: text with a NUL
   * character (PostgreSQL text cannot hold one), or a source value without a target value ({@link
   * Unconvertible}, its reason).
   */
  public static String unwritable(ColumnCodec codec, Object value) {
    if (value instanceof Unconvertible u) {
      return u.reason();
    }
    if (value instanceof String s && s.indexOf('\0') >= 0) {
      return "column " + codec.name() + " contains a NUL character, which PostgreSQL text rejects";
    }
    return null;
  }

  private static String special(Double d) {
    return d.isNaN() ? "NaN" : d > 0 ? "Infinity" : "-Infinity";
  }

  static String date(LocalDate d) {
    if (d.equals(LocalDate.MAX)) {
      return "infinity";
    }
    if (d.equals(LocalDate.MIN)) {
      return "-infinity";
    }
    int y = d.getYear();
    if (y <= 0) {
      return String.format(
          Locale.ROOT, "%04d-%02d-%02d BC", 1 - y, d.getMonthValue(), d.getDayOfMonth());
    }
    return String.format(Locale.ROOT, "%04d-%02d-%02d", y, d.getMonthValue(), d.getDayOfMonth());
  }

  static String timestamp(LocalDateTime t) {
    if (t.equals(LocalDateTime.MAX)) {
      return "infinity";
    }
    if (t.equals(LocalDateTime.MIN)) {
      return "-infinity";
    }
    String date = date(t.toLocalDate());
    String time = t.toLocalTime().toString();
    if (date.endsWith(" BC")) {
      return date.substring(0, date.length() - 3) + " " + time + " BC";
    }
    return date + " " + time;
  }

  static String timestamptz(OffsetDateTime t) {
    if (t.equals(OffsetDateTime.MAX)) {
      return "infinity";
    }
    if (t.equals(OffsetDateTime.MIN)) {
      return "-infinity";
    }
    LocalDateTime utc = t.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
    String s = timestamp(utc);
    return s.endsWith(" BC") ? s.substring(0, s.length() - 3) + "+00 BC" : s + "+00";
  }
}
