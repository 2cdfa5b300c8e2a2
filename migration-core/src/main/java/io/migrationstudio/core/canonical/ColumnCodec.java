package io.migrationstudio.core.canonical;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.schema.CanonicalType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How one column's values are read from JDBC and compared: its canonical type and, for decimals,
 * the declared scale. Both sides of a migration read a column with the codec of its <em>target</em>
 * column, so a value is always judged by what the target can hold. {@code rule} is the column's
 * comparison rule from the mapping (null: exact), applied when values are hashed or compared.
 *
 * <p>{@link #read} returns a small set of Java types: {@link BigInteger} (integers), {@link
 * BigDecimal} (decimals; a {@link Double} for NaN/±Infinity), {@link Float}, {@link Double}, {@link
 * Boolean}, {@link LocalDate}, {@link LocalTime}, {@link LocalDateTime}, {@link OffsetDateTime},
 * {@code byte[]} and {@link String} (everything else, in the engine's text form), or null.
 */
public record ColumnCodec(String name, CanonicalType type, Integer scale, ComparisonRule rule) {
  private static final Pattern NUMERIC_SCALE =
      Pattern.compile("^\\s*(?:numeric|decimal)\\s*\\(\\s*\\d+\\s*,\\s*(\\d+)\\s*\\)\\s*$");

  public ColumnCodec {
    Objects.requireNonNull(name, "column name is required");
    Objects.requireNonNull(type, "canonical type is required for column " + name);
    if (scale != null && scale < 0) {
      throw new IllegalArgumentException("scale of " + name + " must be >= 0, was " + scale);
    }
    if (rule != null && rule.isEmpty()) {
      rule = null;
    }
  }

  /** A codec without comparison rule. */
  public ColumnCodec(String name, CanonicalType type, Integer scale) {
    this(name, type, scale, null);
  }

  /** {@code numeric(p,s)} / {@code decimal(p,s)} → s; {@code numeric(p)} → 0; otherwise null. */
  public static Integer declaredScale(String sqlType) {
    if (sqlType == null) {
      return null;
    }
    String t = sqlType.toLowerCase(Locale.ROOT);
    Matcher m = NUMERIC_SCALE.matcher(t);
    if (m.matches()) {
      return Integer.valueOf(m.group(1));
    }
    if (t.matches("^\\s*(?:numeric|decimal)\\s*\\(\\s*\\d+\\s*\\)\\s*$")) {
      return 0;
    }
    return null;
  }

  /** Reads column {@code i} of the current row as this codec's Java value (null for SQL NULL). */
  public Object read(ResultSet rs, int i) throws SQLException {
    Object value =
        switch (type) {
          case BOOLEAN -> rs.getBoolean(i);
          case SMALLINT, INTEGER, BIGINT -> integer(rs.getObject(i));
          case DECIMAL -> decimal(rs.getObject(i));
          case REAL -> rs.getFloat(i);
          case DOUBLE -> rs.getDouble(i);
          case DATE -> rs.getObject(i, LocalDate.class);
          case TIME -> rs.getObject(i, LocalTime.class);
          case TIMESTAMP -> rs.getObject(i, LocalDateTime.class);
          case TIMESTAMPTZ -> rs.getObject(i, OffsetDateTime.class);
          case BYTES -> rs.getBytes(i);
          case ARRAY -> array(rs, i);
          default -> rs.getString(i);
        };
    return rs.wasNull() ? null : value;
  }

  /**
   * An array's canonical text: PostgreSQL's array text. pgjdbc's {@code getString} gives the
   * server's text only while a statement runs in text format; from its fifth execution on (server
   * prepare, binary transfer) it quotes every element instead ({@code {"a"}} for {@code {a}}). So a
   * text array is rebuilt from its elements as the server writes it ({@link
   * ValueConverter#textArray}); other element types keep the driver's text.
   */
  private static String array(ResultSet rs, int i) throws SQLException {
    String text = rs.getString(i);
    if (text == null || !text.startsWith("{")) {
      return text; // NULL, or an array with explicit bounds ([0:1]={...}) as the driver gives it
    }
    java.sql.Array array = rs.getArray(i);
    Object elements = array == null ? null : array.getArray();
    String rebuilt = elements instanceof Object[] e ? ValueConverter.textArray(e) : null;
    return rebuilt != null ? rebuilt : text;
  }

  private BigInteger integer(Object o) {
    if (o == null) {
      return null;
    }
    if (o instanceof BigInteger b) {
      return b;
    }
    if (o instanceof BigDecimal d) {
      return d.toBigIntegerExact();
    }
    if (o instanceof Number n) {
      return BigInteger.valueOf(n.longValue());
    }
    if (o instanceof Boolean b) {
      return b ? BigInteger.ONE : BigInteger.ZERO;
    }
    try {
      return new BigInteger(o.toString().trim());
    } catch (NumberFormatException e) {
      throw new MigrationException(
          ErrorCode.UNSUPPORTED_TYPE,
          "column " + name + " is mapped as " + type + " but holds '" + o + "'; fix the mapping");
    }
  }

  private Object decimal(Object o) {
    if (o == null || o instanceof BigDecimal) {
      return o;
    }
    if (o instanceof Double d && (d.isNaN() || d.isInfinite())) {
      return d;
    }
    if (o instanceof Float f && (f.isNaN() || f.isInfinite())) {
      return (double) f;
    }
    return new BigDecimal(o.toString().trim());
  }
}
