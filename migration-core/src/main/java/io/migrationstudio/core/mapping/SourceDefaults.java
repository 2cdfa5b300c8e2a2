package io.migrationstudio.core.mapping;

import io.migrationstudio.core.schema.CanonicalType;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Column defaults of another engine that PostgreSQL reads with the same meaning: numbers, quoted
 * strings (quotes doubled), NULL (no default), the current time; 0/1 on a boolean target become
 * false/true. Anything else is the source engine's SQL and is left out (the target column gets no
 * default) rather than guessed.
 */
final class SourceDefaults {
  private static final Pattern NUMBER = Pattern.compile("[+-]?\\d+(\\.\\d+)?([eE][+-]?\\d+)?");
  private static final Pattern STRING = Pattern.compile("'([^'\\\\]|'')*'");

  private SourceDefaults() {}

  static String literal(String expression, CanonicalType target) {
    if (expression == null) {
      return null;
    }
    String e = expression.trim();
    String lower = e.toLowerCase(Locale.ROOT);
    if (lower.equals("null") || e.isEmpty()) {
      return null;
    }
    if (target == CanonicalType.BOOLEAN) {
      return switch (lower) {
        case "0", "'0'", "b'0'", "false" -> "false";
        case "1", "'1'", "b'1'", "true" -> "true";
        default -> null;
      };
    }
    if (lower.equals("current_timestamp")
        || lower.equals("current_timestamp()")
        || lower.equals("now()")
        || lower.startsWith("current_timestamp(")) {
      return target == CanonicalType.TIMESTAMP
              || target == CanonicalType.TIMESTAMPTZ
              || target == CanonicalType.DATE
          ? "CURRENT_TIMESTAMP"
          : null;
    }
    if (NUMBER.matcher(e).matches()) {
      return target.isInteger()
              || target == CanonicalType.DECIMAL
              || target == CanonicalType.REAL
              || target == CanonicalType.DOUBLE
          ? e
          : "'" + e + "'";
    }
    if (STRING.matcher(e).matches()) {
      return e;
    }
    return null;
  }
}
