package io.migrationstudio.core.dialect.sqlite;

import io.migrationstudio.core.schema.CanonicalType;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Canonical types of SQLite declared types, by the type-affinity rules of section 3.1 of
 * https://www.sqlite.org/datatype3.html, applied in their order to the upper-cased declared type:
 *
 * <ol>
 *   <li>contains {@code INT}: INTEGER affinity → {@link CanonicalType#BIGINT} (SQLite integers are
 *       64-bit, whatever the declared width: {@code TINYINT} holds 2^62 just as well);
 *   <li>contains {@code CHAR}, {@code CLOB} or {@code TEXT}: TEXT affinity → {@link
 *       CanonicalType#VARCHAR} with the declared length when there is one ({@code NVARCHAR(120)},
 *       also {@code CHARACTER(20)}: SQLite never pads, so a blank-padding CHAR target would change
 *       values), else {@link CanonicalType#TEXT};
 *   <li>contains {@code BLOB}: BLOB affinity → {@link CanonicalType#BYTES}; <b>no declared type at
 *       all</b> is BLOB affinity too, but such a column stores any storage class as given (integer,
 *       real, text and blob mixed), so it is {@link CanonicalType#UNSUPPORTED}: a named risk that
 *       needs an explicit mapping decision, never a guess;
 *   <li>contains {@code REAL}, {@code FLOA} or {@code DOUB}: REAL affinity → {@link
 *       CanonicalType#DOUBLE} (8-byte IEEE);
 *   <li>otherwise NUMERIC affinity, refined by name: {@code BOOL*} → {@link CanonicalType#BOOLEAN};
 *       {@code DATE}, {@code DATETIME}, {@code TIMESTAMP*} → {@link CanonicalType#TIMESTAMP}
 *       (SQLite has no date type: the values are ISO-8601 text, Julian-day reals or Unix-time
 *       integers, so the mapping needs a transform and the compatibility review must profile the
 *       spelling); {@code JSON} → {@link CanonicalType#JSON} (JSON text, as SQLite's JSON functions
 *       read it); anything else ({@code NUMERIC(10,2)}, {@code DECIMAL}, {@code MONEY}...) → {@link
 *       CanonicalType#DECIMAL} with the declared precision and scale when given.
 * </ol>
 *
 * The affinity order is kept even where it surprises ({@code POINT} contains INT, {@code FLOATING
 * POINT} too): that is how SQLite itself stored the values.
 */
final class SqliteTypes {
  private static final Pattern MODIFIERS =
      Pattern.compile("\\(\\s*([+-]?\\d+)\\s*(?:,\\s*([+-]?\\d+)\\s*)?\\)");

  private SqliteTypes() {}

  /** SQLite's affinity of a declared type. */
  enum Affinity {
    INTEGER,
    TEXT,
    BLOB,
    REAL,
    NUMERIC
  }

  static Affinity affinity(String declaredType) {
    String t = upper(declaredType);
    if (t.contains("INT")) {
      return Affinity.INTEGER;
    }
    if (t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT")) {
      return Affinity.TEXT;
    }
    if (t.contains("BLOB") || t.isEmpty()) {
      return Affinity.BLOB;
    }
    if (t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB")) {
      return Affinity.REAL;
    }
    return Affinity.NUMERIC;
  }

  static CanonicalType canonical(String declaredType) {
    String t = upper(declaredType);
    return switch (affinity(t)) {
      case INTEGER -> CanonicalType.BIGINT;
      case TEXT -> firstModifier(t) == null ? CanonicalType.TEXT : CanonicalType.VARCHAR;
      case BLOB -> t.isEmpty() ? CanonicalType.UNSUPPORTED : CanonicalType.BYTES;
      case REAL -> CanonicalType.DOUBLE;
      case NUMERIC -> numeric(baseName(t));
    };
  }

  private static CanonicalType numeric(String base) {
    if (base.startsWith("BOOL")) {
      return CanonicalType.BOOLEAN;
    }
    if (base.equals("DATE") || base.equals("DATETIME") || base.startsWith("TIMESTAMP")) {
      return CanonicalType.TIMESTAMP;
    }
    if (base.equals("JSON")) {
      return CanonicalType.JSON;
    }
    return CanonicalType.DECIMAL;
  }

  /** The declared character length of a VARCHAR, else null. */
  static Integer length(String declaredType) {
    return canonical(declaredType) == CanonicalType.VARCHAR
        ? firstModifier(upper(declaredType))
        : null;
  }

  /** The declared precision of a DECIMAL ({@code NUMERIC(10,2)} → 10), else null. */
  static Integer precision(String declaredType) {
    return canonical(declaredType) == CanonicalType.DECIMAL
        ? firstModifier(upper(declaredType))
        : null;
  }

  /**
   * The declared scale of a DECIMAL ({@code NUMERIC(10,2)} → 2, {@code NUMERIC(10)} → 0 as in
   * standard SQL), else null.
   */
  static Integer scale(String declaredType) {
    if (canonical(declaredType) != CanonicalType.DECIMAL) {
      return null;
    }
    Matcher m = MODIFIERS.matcher(upper(declaredType));
    if (!m.find()) {
      return null;
    }
    return m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
  }

  private static Integer firstModifier(String upperType) {
    Matcher m = MODIFIERS.matcher(upperType);
    if (!m.find()) {
      return null;
    }
    int value = Integer.parseInt(m.group(1));
    return value > 0 ? value : null;
  }

  /** The type name without modifiers, blanks collapsed: {@code TIMESTAMP (6)} → TIMESTAMP. */
  private static String baseName(String upperType) {
    return MODIFIERS.matcher(upperType).replaceAll(" ").trim().replaceAll("\\s+", " ");
  }

  private static String upper(String declaredType) {
    return declaredType == null ? "" : declaredType.trim().toUpperCase(Locale.ROOT);
  }
}
