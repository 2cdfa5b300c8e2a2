package io.migrationstudio.core.mapping;

import io.migrationstudio.core.canonical.ColumnCodec;
import io.migrationstudio.core.canonical.Unconvertible;
import io.migrationstudio.core.canonical.ValueConverter;
import io.migrationstudio.core.schema.CanonicalType;
import java.math.BigDecimal;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A column's value map, ready to apply: {@code values: {'Y': true, 'N': false}} in mapping.yaml.
 *
 * <p>Keys are source values written as text; each is read as the source column's type (so {@code
 * '1'} and {@code '1.0'} name the same decimal, {@code 'true'} a boolean) and compared by that
 * value. Map values are target values, converted once to the target column's type by the same
 * {@link ValueConverter} rules as a cross-engine copy. A source NULL stays NULL. A source value the
 * map does not list follows the column's {@link UnmappedPolicy}: REJECT yields an {@link
 * Unconvertible} (Migrate quarantines the row, the review counts it), KEEP converts the value
 * itself to the target type, NULL writes NULL.
 *
 * <p>{@link #compile} lists every key and value that does not convert, naming table and column, so
 * the loader refuses a map that could never apply. The one place a value map is applied is {@code
 * SourceRows}, shared by Migrate, the dry run, the review and validation.
 */
public final class ValueMap {
  /** Source types a value map can key on: values with one exact text form. */
  public static final Set<CanonicalType> KEY_TYPES =
      EnumSet.of(
          CanonicalType.BOOLEAN,
          CanonicalType.SMALLINT,
          CanonicalType.INTEGER,
          CanonicalType.BIGINT,
          CanonicalType.DECIMAL,
          CanonicalType.CHAR,
          CanonicalType.VARCHAR,
          CanonicalType.TEXT,
          CanonicalType.ENUM,
          CanonicalType.DATE,
          CanonicalType.UUID);

  /** The start of the reason of an unlisted value under {@code unmapped: reject}. */
  static final String UNLISTED = "is not listed in the value map of ";

  private final String table;
  private final String column;
  private final Map<String, Object> targets;
  private final UnmappedPolicy policy;
  private final ValueConverter keep;

  private ValueMap(
      String table,
      String column,
      Map<String, Object> targets,
      UnmappedPolicy policy,
      ValueConverter keep) {
    this.table = table;
    this.column = column;
    this.targets = targets;
    this.policy = policy;
    this.keep = keep;
  }

  /**
   * The value map of {@code c} (which must have one) for a source column of canonical type {@code
   * sourceType}; each key or value that does not convert is one entry in {@code problems}.
   *
   * @return the map, or null when it has problems
   */
  public static ValueMap compile(
      String table, ColumnMapping c, CanonicalType sourceType, List<String> problems) {
    String where =
        "table " + MappingLoader.q(table) + " column " + MappingLoader.q(c.source()) + ": values";
    int before = problems.size();
    if (c.disposition() != Disposition.MAP && c.disposition() != Disposition.CAST) {
      problems.add(
          where
              + " apply to a map or cast column, found disposition "
              + c.disposition().key()
              + "; use a CEL expression there instead");
      return null;
    }
    if (sourceType == null || !KEY_TYPES.contains(sourceType)) {
      problems.add(
          where
              + " need a source column of a type with one text form ("
              + KEY_TYPES
              + "), found "
              + sourceType
              + "; map or cast the column instead");
      return null;
    }
    ColumnCodec target = Codecs.column(c);
    ValueConverter keys =
        new ValueConverter(CanonicalType.TEXT, new ColumnCodec("key", sourceType, null));
    ValueConverter values = new ValueConverter(CanonicalType.TEXT, target);
    Map<String, Object> targets = new HashMap<>();
    for (Map.Entry<String, Object> e : c.values().entrySet()) {
      Object key = keys.convert(e.getKey());
      if (key == null || key instanceof Unconvertible) {
        problems.add(
            where
                + ": key '"
                + e.getKey()
                + "' is not a "
                + sourceType
                + " value of the source column; write source values as they are stored");
        continue;
      }
      Object value = values.convert(e.getValue());
      if (value instanceof Unconvertible) {
        problems.add(
            where
                + ": the value of key '"
                + e.getKey()
                + "' ("
                + e.getValue()
                + ") is not a "
                + target.type()
                + " value of target type "
                + c.type()
                + "; write it as the target stores it");
        continue;
      }
      if (targets.putIfAbsent(normalize(key), value) != null) {
        problems.add(
            where
                + ": key '"
                + e.getKey()
                + "' names a source value another key names too; keep one");
      }
    }
    if (problems.size() > before) {
      return null;
    }
    return new ValueMap(
        table,
        c.target(),
        java.util.Collections.unmodifiableMap(targets),
        c.unmappedPolicy(),
        new ValueConverter(sourceType, target));
  }

  /**
   * The target value of a source value read as its own type (null stays null; an input that could
   * not be read stays its {@link Unconvertible}).
   */
  public Object apply(Object source) {
    if (source == null || source instanceof Unconvertible) {
      return source;
    }
    String key = normalize(source);
    if (targets.containsKey(key)) {
      return targets.get(key);
    }
    return switch (policy) {
      case KEEP -> keep.convert(source);
      case NULL -> null;
      case REJECT ->
          new Unconvertible(
              key,
              UNLISTED
                  + table
                  + "."
                  + column
                  + " (unmapped: reject); add it to values or set unmapped: keep or null");
    };
  }

  /**
   * Whether {@code u} is a value this kind of map rejected (not a value the reader could not read).
   */
  public static boolean unlisted(Unconvertible u) {
    return u.reason().startsWith(UNLISTED);
  }

  /** Whether a source value (read as its own type, not null) is listed in the map. */
  public boolean lists(Object source) {
    return targets.containsKey(normalize(source));
  }

  /** One text per value: decimals compare by value ({@code 1.50} is {@code 1.5}). */
  static String normalize(Object value) {
    if (value instanceof BigDecimal d) {
      return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
    }
    if (value instanceof byte[] b) {
      return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }
    return value.toString();
  }
}
