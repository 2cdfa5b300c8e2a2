package io.migrationstudio.core.mapping;

import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.schema.CanonicalType;
import java.math.BigDecimal;
import java.util.Locale;

/**
 * A target column type as written in PostgreSQL DDL ({@code character varying(40)}, {@code
 * numeric(10,2)}, {@code timestamp(3) with time zone}), parsed into its canonical type and its
 * bounds: {@code length} for character types, {@code precision}/{@code scale} for numeric. The
 * target of every migration is PostgreSQL (DESIGN §1), so one parser serves every source engine.
 */
public record TargetType(
    String spelling, CanonicalType canonical, Integer length, Integer precision, Integer scale) {
  private static final PostgresDialect POSTGRES = new PostgresDialect();

  /** Parses a DDL spelling; bounds the spelling does not state are null (unbounded). */
  public static TargetType parse(String spelling) {
    String t = spelling.trim().toLowerCase(Locale.ROOT);
    CanonicalType canonical = POSTGRES.canonicalType(t);
    int open = t.indexOf('(');
    int close = t.indexOf(')', open + 1);
    Integer first = null;
    Integer second = null;
    if (open >= 0 && close > open && !t.endsWith("[]")) {
      String[] args = t.substring(open + 1, close).split(",");
      first = parseInt(args[0]);
      second = args.length > 1 ? parseInt(args[1]) : null;
    }
    return switch (canonical) {
      case CHAR -> new TargetType(spelling, canonical, first == null ? 1 : first, null, null);
      case VARCHAR -> new TargetType(spelling, canonical, first, null, null);
      case DECIMAL ->
          new TargetType(
              spelling, canonical, null, first, first == null ? null : second == null ? 0 : second);
      default -> new TargetType(spelling, canonical, null, null, null);
    };
  }

  private static Integer parseInt(String s) {
    try {
      return Integer.valueOf(s.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Two spellings name the same type (case and spacing ignored). */
  public static boolean sameSpelling(String a, String b) {
    return normalize(a).equals(normalize(b));
  }

  private static String normalize(String s) {
    return s == null ? "" : s.trim().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
  }

  /** The smallest value an integer type holds, or null when this is no integer type. */
  public BigDecimal integerMin() {
    return switch (canonical) {
      case SMALLINT -> BigDecimal.valueOf(Short.MIN_VALUE);
      case INTEGER -> BigDecimal.valueOf(Integer.MIN_VALUE);
      case BIGINT -> BigDecimal.valueOf(Long.MIN_VALUE);
      default -> null;
    };
  }

  /** The largest value an integer type holds, or null when this is no integer type. */
  public BigDecimal integerMax() {
    return switch (canonical) {
      case SMALLINT -> BigDecimal.valueOf(Short.MAX_VALUE);
      case INTEGER -> BigDecimal.valueOf(Integer.MAX_VALUE);
      case BIGINT -> BigDecimal.valueOf(Long.MAX_VALUE);
      default -> null;
    };
  }

  /** Whether values of this type are numbers (integers, decimals, floats). */
  public boolean isNumeric() {
    return canonical.isInteger()
        || canonical == CanonicalType.DECIMAL
        || canonical == CanonicalType.REAL
        || canonical == CanonicalType.DOUBLE;
  }
}
