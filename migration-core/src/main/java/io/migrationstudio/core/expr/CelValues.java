package io.migrationstudio.core.expr;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Duration;
import com.google.protobuf.NullValue;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import dev.cel.common.types.CelType;
import dev.cel.common.types.NullableType;
import dev.cel.common.types.SimpleType;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.schema.CanonicalType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * How column values cross into CEL and results come back: one table, both directions, lossless.
 *
 * <pre>
 * canonical type            CEL type                  JDBC value in            value out
 * SMALLINT/INTEGER/BIGINT   int (nullable)            Short/Integer/Long       Short/Integer/Long (range-checked)
 * DECIMAL                   decimal (exact)           BigDecimal (or integer)  BigDecimal
 * REAL/DOUBLE               double (nullable)         Float/Double             Float/Double
 * CHAR/VARCHAR/TEXT/ENUM/XML string (nullable)        String                   String
 * UUID                      string (nullable)         UUID or String           UUID (parsed)
 * BOOLEAN                   bool (nullable)           Boolean                  Boolean
 * BYTES                     bytes (nullable)          byte[]                   byte[]
 * DATE                      google.protobuf.Timestamp LocalDate                LocalDate (must be 00:00:00 UTC)
 *                           at 00:00:00 UTC
 * TIME                      google.protobuf.Duration  LocalTime                LocalTime (0 ≤ d &lt; 24h)
 *                           since midnight
 * TIMESTAMP                 google.protobuf.Timestamp LocalDateTime read as UTC LocalDateTime (UTC wall time)
 * TIMESTAMPTZ               google.protobuf.Timestamp OffsetDateTime/Instant   OffsetDateTime at UTC
 * JSON                      dyn (maps, lists, ...)    JSON text                JSON text (compact)
 * INTERVAL/ARRAY/UNSUPPORTED  not available to expressions
 * </pre>
 *
 * JSON numbers become int when integral and in range, double when the double prints back as the
 * same number, and decimal otherwise, so no digit is lost. CEL timestamps span the years 1 to 9999;
 * a value outside is an evaluation error, not a clamp. Timestamps keep nanoseconds; PostgreSQL
 * stores microseconds.
 */
final class CelValues {
  /** Reads JSON numbers with a fraction as BigDecimal, so no digit is lost before we decide. */
  private static final ObjectReader JSON_EXACT =
      Json.mapper().reader().with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private CelValues() {}

  /** The CEL type a column of this canonical type has in expressions; empty: not available. */
  static Optional<CelType> celType(CanonicalType type) {
    CelType t =
        switch (type) {
          case SMALLINT, INTEGER, BIGINT -> NullableType.create(SimpleType.INT);
          case DECIMAL -> MigrationFunctions.DECIMAL;
          case REAL, DOUBLE -> NullableType.create(SimpleType.DOUBLE);
          case CHAR, VARCHAR, TEXT, ENUM, XML, UUID -> NullableType.create(SimpleType.STRING);
          case BOOLEAN -> NullableType.create(SimpleType.BOOL);
          case BYTES -> NullableType.create(SimpleType.BYTES);
          case DATE, TIMESTAMP, TIMESTAMPTZ -> SimpleType.TIMESTAMP;
          case TIME -> SimpleType.DURATION;
          case JSON -> SimpleType.DYN;
          case INTERVAL, ARRAY, UNSUPPORTED -> null;
        };
    return Optional.ofNullable(t);
  }

  /** A JDBC-style value of a column as CEL sees it; null becomes CEL's null. */
  static Object toCel(CanonicalType type, Object v) {
    if (v == null) {
      return NullValue.NULL_VALUE;
    }
    return switch (type) {
      case SMALLINT, INTEGER, BIGINT -> integer(v);
      case DECIMAL -> Decimal.of(decimal(v));
      case REAL, DOUBLE -> ((Number) expect(v, Number.class, type)).doubleValue();
      case CHAR, VARCHAR, TEXT -> expect(v, CharSequence.class, type).toString();
      case ENUM, XML, UUID -> v.toString();
      case BOOLEAN -> expect(v, Boolean.class, type);
      case BYTES -> ByteString.copyFrom(expect(v, byte[].class, type));
      case DATE -> timestamp(date(v).toEpochDay() * 86_400L, 0);
      case TIME -> Durations.fromNanos(time(v).toNanoOfDay());
      case TIMESTAMP -> {
        LocalDateTime t = localDateTime(v);
        yield timestamp(t.toEpochSecond(ZoneOffset.UTC), t.getNano());
      }
      case TIMESTAMPTZ -> {
        Instant i = instant(v);
        yield timestamp(i.getEpochSecond(), i.getNano());
      }
      case JSON -> fromJson(v);
      case INTERVAL, ARRAY, UNSUPPORTED ->
          throw new IllegalArgumentException(type + " values are not available to expressions");
    };
  }

  /** A CEL result as the JDBC-style value of a target column of this canonical type. */
  static Object fromCel(CanonicalType type, Object v) {
    if (v == null || v == NullValue.NULL_VALUE) {
      return null;
    }
    return switch (type) {
      case SMALLINT -> {
        long l = expect(v, Long.class, type);
        if (l < Short.MIN_VALUE || l > Short.MAX_VALUE) {
          throw new IllegalArgumentException(l + " is outside smallint's range");
        }
        yield (short) l;
      }
      case INTEGER -> Math.toIntExact(expect(v, Long.class, type));
      case BIGINT -> expect(v, Long.class, type);
      case DECIMAL -> {
        BigDecimal d =
            v instanceof Long l ? BigDecimal.valueOf(l) : expect(v, Decimal.class, type).value();
        yield d.scale() < 0 ? d.setScale(0) : d; // 2E+1 is written 20
      }
      case REAL -> expect(v, Double.class, type).floatValue();
      case DOUBLE -> expect(v, Double.class, type);
      case CHAR, VARCHAR, TEXT, ENUM, XML -> expect(v, String.class, type);
      case UUID -> java.util.UUID.fromString(expect(v, String.class, type));
      case BOOLEAN -> expect(v, Boolean.class, type);
      case BYTES -> expect(v, ByteString.class, type).toByteArray();
      case DATE -> {
        Timestamp t = expect(v, Timestamp.class, type);
        if (t.getNanos() != 0 || Math.floorMod(t.getSeconds(), 86_400L) != 0) {
          throw new IllegalArgumentException(
              Timestamps.toString(t) + " is not a whole day at 00:00:00 UTC");
        }
        yield LocalDate.ofEpochDay(Math.floorDiv(t.getSeconds(), 86_400L));
      }
      case TIME -> {
        Duration d = expect(v, Duration.class, type);
        long nanos = Durations.toNanos(d);
        if (nanos < 0 || nanos >= 86_400_000_000_000L) {
          throw new IllegalArgumentException(
              Durations.toString(d) + " is not a time of day (0s up to 24h)");
        }
        yield LocalTime.ofNanoOfDay(nanos);
      }
      case TIMESTAMP -> {
        Timestamp t = expect(v, Timestamp.class, type);
        yield LocalDateTime.ofEpochSecond(t.getSeconds(), t.getNanos(), ZoneOffset.UTC);
      }
      case TIMESTAMPTZ -> {
        Timestamp t = expect(v, Timestamp.class, type);
        yield OffsetDateTime.ofInstant(
            Instant.ofEpochSecond(t.getSeconds(), t.getNanos()), ZoneOffset.UTC);
      }
      case JSON -> Json.writeCompact(toJson(v));
      case INTERVAL, ARRAY, UNSUPPORTED ->
          throw new IllegalArgumentException("no expression produces " + type + " values");
    };
  }

  private static <T> T expect(Object v, Class<T> type, CanonicalType canonical) {
    if (!type.isInstance(v)) {
      throw new IllegalArgumentException(
          "a "
              + canonical
              + " value must be "
              + type.getSimpleName()
              + ", found "
              + v.getClass().getName());
    }
    return type.cast(v);
  }

  private static Long integer(Object v) {
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof BigInteger b) {
      return b.longValueExact();
    }
    if (v instanceof BigDecimal b) {
      return b.longValueExact();
    }
    throw new IllegalArgumentException(
        "an integer value must be Short, Integer or Long, found " + v.getClass().getName());
  }

  private static BigDecimal decimal(Object v) {
    if (v instanceof BigDecimal b) {
      return b;
    }
    if (v instanceof BigInteger b) {
      return new BigDecimal(b);
    }
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return BigDecimal.valueOf(((Number) v).longValue());
    }
    throw new IllegalArgumentException(
        "a DECIMAL value must be BigDecimal, found " + v.getClass().getName());
  }

  private static Timestamp timestamp(long seconds, int nanos) {
    Timestamp t = Timestamp.newBuilder().setSeconds(seconds).setNanos(nanos).build();
    if (!Timestamps.isValid(t)) {
      throw new IllegalArgumentException(
          Instant.ofEpochSecond(seconds, nanos)
              + " is outside the years 0001-9999 that expressions can represent");
    }
    return t;
  }

  private static LocalDate date(Object v) {
    if (v instanceof LocalDate d) {
      return d;
    }
    if (v instanceof java.sql.Date d) {
      return d.toLocalDate();
    }
    throw new IllegalArgumentException(
        "a DATE value must be LocalDate, found " + v.getClass().getName());
  }

  private static LocalTime time(Object v) {
    if (v instanceof LocalTime t) {
      return t;
    }
    if (v instanceof java.sql.Time t) {
      return t.toLocalTime();
    }
    throw new IllegalArgumentException(
        "a TIME value must be LocalTime, found " + v.getClass().getName());
  }

  private static LocalDateTime localDateTime(Object v) {
    if (v instanceof LocalDateTime t) {
      return t;
    }
    if (v instanceof java.sql.Timestamp t) {
      return t.toLocalDateTime();
    }
    throw new IllegalArgumentException(
        "a TIMESTAMP value must be LocalDateTime, found " + v.getClass().getName());
  }

  private static Instant instant(Object v) {
    if (v instanceof OffsetDateTime t) {
      return t.toInstant();
    }
    if (v instanceof Instant t) {
      return t;
    }
    if (v instanceof ZonedDateTime t) {
      return t.toInstant();
    }
    if (v instanceof java.sql.Timestamp t) {
      return t.toInstant();
    }
    throw new IllegalArgumentException(
        "a TIMESTAMPTZ value must be OffsetDateTime or Instant, found " + v.getClass().getName());
  }

  private static Object fromJson(Object v) {
    JsonNode node;
    try {
      node = JSON_EXACT.readTree(v.toString());
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage());
    }
    return fromNode(node);
  }

  private static Object fromNode(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return NullValue.NULL_VALUE;
    }
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        map.put(e.getKey(), fromNode(e.getValue()));
      }
      return map;
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>(node.size());
      node.forEach(n -> list.add(fromNode(n)));
      return list;
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isTextual()) {
      return node.textValue();
    }
    if (node.isIntegralNumber() && node.canConvertToLong()) {
      return node.longValue();
    }
    if (node.isNumber()) {
      BigDecimal exact = node.decimalValue();
      double d = exact.doubleValue();
      if (!Double.isInfinite(d) && new BigDecimal(Double.toString(d)).compareTo(exact) == 0) {
        return d;
      }
      return Decimal.of(exact);
    }
    throw new IllegalArgumentException("unexpected JSON node " + node.getNodeType());
  }

  private static JsonNode toJson(Object v) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (v == null || v == NullValue.NULL_VALUE) {
      return f.nullNode();
    }
    if (v instanceof Map<?, ?> map) {
      ObjectNode o = f.objectNode();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!(e.getKey() instanceof String key)) {
          throw new IllegalArgumentException(
              "a JSON object key must be a string, found " + e.getKey());
        }
        o.set(key, toJson(e.getValue()));
      }
      return o;
    }
    if (v instanceof List<?> list) {
      ArrayNode a = f.arrayNode();
      list.forEach(x -> a.add(toJson(x)));
      return a;
    }
    if (v instanceof Long l) {
      return f.numberNode(l);
    }
    if (v instanceof Double d) {
      if (d.isNaN() || d.isInfinite()) {
        throw new IllegalArgumentException(d + " has no JSON representation");
      }
      return f.numberNode(d);
    }
    if (v instanceof Decimal d) {
      return f.numberNode(d.value());
    }
    if (v instanceof String s) {
      return f.textNode(s);
    }
    if (v instanceof Boolean b) {
      return f.booleanNode(b);
    }
    if (v instanceof ByteString b) {
      return f.textNode(Base64.getEncoder().encodeToString(b.toByteArray()));
    }
    if (v instanceof Timestamp t) {
      return f.textNode(Timestamps.toString(t));
    }
    if (v instanceof Duration d) {
      return f.textNode(Durations.toString(d));
    }
    if (v instanceof UUID u) {
      return f.textNode(u.toString());
    }
    throw new IllegalArgumentException(
        "a " + v.getClass().getSimpleName() + " value has no JSON representation");
  }
}
