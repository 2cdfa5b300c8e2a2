package io.migrationstudio.core.mapping;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import java.util.Locale;

/**
 * How source names become target names ({@code spec.mapping.naming}).
 *
 * <p>{@link #SNAKE_CASE} splits words at case changes and at every character that is neither a
 * letter nor a digit, joins them with one underscore and lower-cases them: {@code AlbumId →
 * album_id}, {@code HTTPServer → http_server}, {@code Order Items → order_items}. A word boundary
 * is placed before an upper-case letter that follows a lower-case letter or a digit ({@code aB},
 * {@code 2B}), and before the last upper-case letter of a run that is followed by a lower-case one
 * ({@code HTTPServer}); letters followed by digits stay together ({@code Line2 → line2}). Unicode
 * letters and digits are kept, separators are collapsed and trimmed. A name with no letter or digit
 * at all keeps its source spelling (it is quoted everywhere, so it stays valid).
 */
public enum NamingRule {
  IDENTITY,
  LOWER,
  SNAKE_CASE;

  /** The spec key of the rule: {@code identity}, {@code lower}, {@code snake_case}. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code spec.mapping.naming}; null means identity. */
  public static NamingRule parse(String value) {
    if (value == null || value.isBlank()) {
      return IDENTITY;
    }
    String key = value.trim().toLowerCase(Locale.ROOT).replace('-', '_');
    for (NamingRule rule : values()) {
      if (rule.key().equals(key)) {
        return rule;
      }
    }
    throw new MigrationException(
        ErrorCode.INVALID_SPEC,
        "mapping.naming: value '"
            + value
            + "' is not a naming rule; expected one of identity, lower, snake_case");
  }

  /** The target name of a source name under this rule. */
  public String apply(String name) {
    return switch (this) {
      case IDENTITY -> name;
      case LOWER -> name.toLowerCase(Locale.ROOT);
      case SNAKE_CASE -> snakeCase(name);
    };
  }

  private static String snakeCase(String name) {
    int[] cps = name.codePoints().toArray();
    StringBuilder out = new StringBuilder(name.length() + 8);
    for (int i = 0; i < cps.length; i++) {
      int cp = cps[i];
      if (!Character.isLetterOrDigit(cp)) {
        separator(out);
        continue;
      }
      if (Character.isUpperCase(cp) && i > 0) {
        int prev = cps[i - 1];
        boolean afterLowerOrDigit = Character.isLowerCase(prev) || Character.isDigit(prev);
        boolean endsAcronym =
            Character.isUpperCase(prev) && i + 1 < cps.length && Character.isLowerCase(cps[i + 1]);
        if (afterLowerOrDigit || endsAcronym) {
          separator(out);
        }
      }
      out.append(new String(Character.toChars(cp)).toLowerCase(Locale.ROOT));
    }
    int end = out.length();
    while (end > 0 && out.charAt(end - 1) == '_') {
      end--;
    }
    String result = out.substring(0, end);
    return result.isEmpty() ? name : result;
  }

  /** Appends one underscore unless the output is empty or already ends with one. */
  private static void separator(StringBuilder out) {
    if (out.length() > 0 && out.charAt(out.length() - 1) != '_') {
      out.append('_');
    }
  }
}
