package io.migrationstudio.core.cdc.apply;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One row of a log's change as a read-only, one-row {@link ResultSet}, so the copy's own reader
 * ({@code SourceRows}, the column codecs and value converters) turns it into target values exactly
 * as it turns a row of the copy's source query. Column {@code i} is the {@code i}-th name of {@code
 * columns} (the copy's projections, then its expression inputs); its value comes from the change's
 * map: the source server's text, raw bytes, or null. A name the change does not carry reads as
 * NULL.
 *
 * <p>The getters the readers call are served from the text the way pgjdbc and MariaDB Connector/J
 * serve it: numbers from their text ({@code NaN} and the infinities as doubles), booleans from
 * {@code t}/{@code f}/{@code 1}/{@code 0}, PostgreSQL's ISO date/time text (with {@code BC} and the
 * infinities) as {@code java.time} values, bytes as given (text as its UTF-8). Every other method
 * throws {@link SQLFeatureNotSupportedException}.
 */
final class ChangeRow implements InvocationHandler {
  private static final DateTimeFormatter TIME =
      new DateTimeFormatterBuilder()
          .appendPattern("HH:mm:ss")
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
          .optionalEnd()
          .toFormatter(Locale.ROOT);

  private final List<String> columns;
  private final Map<String, Object> values;
  private boolean lastNull;

  private ChangeRow(List<String> columns, Map<String, Object> values) {
    this.columns = columns;
    this.values = values;
  }

  /** The row {@code values} read as columns {@code columns} (1-based, in that order). */
  static ResultSet of(List<String> columns, Map<String, Object> values) {
    return (ResultSet)
        Proxy.newProxyInstance(
            ChangeRow.class.getClassLoader(),
            new Class<?>[] {ResultSet.class},
            new ChangeRow(columns, values));
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    return switch (method.getName()) {
      case "hashCode" -> System.identityHashCode(proxy);
      case "equals" -> proxy == args[0];
      default -> dispatch(method, args);
    };
  }

  private Object dispatch(Method method, Object[] args) throws SQLException {
    String name = method.getName();
    if (name.equals("wasNull")) {
      return lastNull;
    }
    if (name.equals("close")) {
      return null;
    }
    if (name.equals("isWrapperFor")) {
      return false;
    }
    if (name.equals("toString")) {
      return "ChangeRow" + columns;
    }
    if (!name.startsWith("get")
        || args == null
        || args.length == 0
        || !(args[0] instanceof Integer i)) {
      throw new SQLFeatureNotSupportedException(
          "a change row serves the column getters the copy's readers call, not " + name);
    }
    Object v = value(i);
    lastNull = v == null;
    return switch (name) {
      case "getString" -> v == null ? null : text(v);
      case "getBytes" -> bytes(v);
      case "getObject" ->
          args.length == 2 && args[1] instanceof Class<?> type ? typed(v, type) : object(v);
      case "getBoolean" -> v != null && bool(text(v));
      case "getFloat" -> v == null ? 0f : Float.parseFloat(text(v).trim());
      case "getDouble" -> v == null ? 0d : Double.parseDouble(text(v).trim());
      case "getLong" -> v == null ? 0L : Long.parseLong(text(v).trim());
      case "getInt" -> v == null ? 0 : Integer.parseInt(text(v).trim());
      case "getShort" -> v == null ? (short) 0 : Short.parseShort(text(v).trim());
      case "getBigDecimal" -> v == null ? null : new BigDecimal(text(v).trim());
      case "getArray" -> null; // the codec then keeps the server's array text
      case "getTimestamp" ->
          v == null ? null : java.sql.Timestamp.valueOf(timestamp(text(v).trim()));
      case "getDate" -> v == null ? null : java.sql.Date.valueOf(date(text(v).trim()));
      default ->
          throw new SQLFeatureNotSupportedException(
              "a change row serves the column getters the copy's readers call, not " + name);
    };
  }

  private Object value(int i) throws SQLException {
    if (i < 1 || i > columns.size()) {
      throw new SQLException(
          "column " + i + " is out of range: the change row has " + columns.size() + " columns");
    }
    return values.get(columns.get(i - 1));
  }

  private static String text(Object v) {
    return v instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : v.toString();
  }

  private static byte[] bytes(Object v) {
    return v == null
        ? null
        : v instanceof byte[] b ? b : v.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** {@code getObject(i)}: the text; a floating special of a numeric column as a double. */
  private static Object object(Object v) {
    if (v instanceof String s) {
      return switch (s) {
        case "NaN" -> Double.NaN;
        case "Infinity" -> Double.POSITIVE_INFINITY;
        case "-Infinity" -> Double.NEGATIVE_INFINITY;
        default -> s;
      };
    }
    return v;
  }

  private static boolean bool(String s) {
    return switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "t", "true", "1", "y", "yes", "on" -> true;
      default -> false;
    };
  }

  private static Object typed(Object v, Class<?> type) throws SQLException {
    if (v == null) {
      return null;
    }
    String s = text(v).trim();
    if (type == String.class) {
      return text(v);
    }
    if (type == LocalDate.class) {
      return date(s);
    }
    if (type == LocalTime.class) {
      return s.startsWith("24:00") ? LocalTime.MAX : LocalTime.parse(s, TIME);
    }
    if (type == LocalDateTime.class) {
      return timestamp(s);
    }
    if (type == OffsetDateTime.class) {
      return timestamptz(s);
    }
    throw new SQLFeatureNotSupportedException("a change row cannot read a value as " + type);
  }

  /** PostgreSQL's ISO date text: {@code 2024-01-02}, {@code 0044-03-15 BC}, the infinities. */
  static LocalDate date(String s) {
    return switch (s) {
      case "infinity" -> LocalDate.MAX;
      case "-infinity" -> LocalDate.MIN;
      default -> {
        boolean bc = s.endsWith(" BC");
        LocalDate d = LocalDate.parse(bc ? s.substring(0, s.length() - 3) : s);
        yield bc ? d.withYear(1 - d.getYear()) : d;
      }
    };
  }

  /** {@code 2024-01-02 03:04:05.123456} (a {@code T} accepted too), {@code BC}, infinities. */
  static LocalDateTime timestamp(String s) {
    switch (s) {
      case "infinity":
        return LocalDateTime.MAX;
      case "-infinity":
        return LocalDateTime.MIN;
      default:
        break;
    }
    boolean bc = s.endsWith(" BC");
    String t = bc ? s.substring(0, s.length() - 3) : s;
    LocalDate d = date(t.substring(0, 10));
    LocalTime time = LocalTime.parse(t.substring(11), TIME);
    LocalDateTime out = d.atTime(time);
    return bc ? out.withYear(1 - out.getYear()) : out;
  }

  /** {@code 2024-01-02 03:04:05.5+00} or {@code +05:30[:15]}, in UTC as pgjdbc returns it. */
  static OffsetDateTime timestamptz(String s) {
    switch (s) {
      case "infinity":
        return OffsetDateTime.MAX;
      case "-infinity":
        return OffsetDateTime.MIN;
      default:
        break;
    }
    boolean bc = s.endsWith(" BC");
    String t = bc ? s.substring(0, s.length() - 3) : s;
    int sign = Math.max(t.lastIndexOf('+'), t.lastIndexOf('-'));
    if (sign < 11) {
      throw new IllegalArgumentException("not a timestamp with time zone: '" + s + "'");
    }
    LocalDateTime local = timestamp(t.substring(0, sign) + (bc ? " BC" : ""));
    String[] parts = t.substring(sign + 1).split(":");
    int seconds =
        Integer.parseInt(parts[0]) * 3600
            + (parts.length > 1 ? Integer.parseInt(parts[1]) * 60 : 0)
            + (parts.length > 2 ? Integer.parseInt(parts[2]) : 0);
    ZoneOffset offset = ZoneOffset.ofTotalSeconds(t.charAt(sign) == '-' ? -seconds : seconds);
    return local.atOffset(offset).withOffsetSameInstant(ZoneOffset.UTC);
  }
}
