package io.migrationstudio.core.mapping;

import io.migrationstudio.contracts.spec.TypeRule;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.Column;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The spec's {@code mapping.type_rules}: target types chosen by rule rather than per column. A rule
 * matches a source column when every glob its {@code match} states matches (an absent glob matches
 * all): {@code table} and {@code column} case-sensitively over the source names, {@code
 * source_type} case-insensitively over the native type, against the full spelling when the glob
 * holds {@code (} ({@code tinyint(1)}) and otherwise against the type without its parenthesised
 * modifiers ({@code datetime} matches {@code datetime(6)}, {@code int unsigned} matches {@code
 * int(10) unsigned}); MySQL's {@code character set}/{@code collate}/{@code generated} suffixes of
 * the native spelling are ignored. The first matching rule wins; {@link MappingGenerator} applies
 * it and records {@link #describe} in the column's {@code rule} so reviewers see where the type
 * came from.
 */
public final class TypeRules {
  private final List<TypeRule> rules;

  private TypeRules(List<TypeRule> rules) {
    this.rules = List.copyOf(rules);
  }

  public static TypeRules of(List<TypeRule> rules) {
    return new TypeRules(rules == null ? List.of() : rules);
  }

  /** The first rule matching the column and its index in the list, or empty. */
  public Optional<Indexed> first(String table, Column column) {
    for (int i = 0; i < rules.size(); i++) {
      if (matches(rules.get(i).match(), table, column.name(), column.nativeType())) {
        return Optional.of(new Indexed(i, rules.get(i)));
      }
    }
    return Optional.empty();
  }

  /** A rule with its position in {@code mapping.type_rules}. */
  public record Indexed(int index, TypeRule rule) {}

  static boolean matches(TypeRule.Match m, String table, String column, String nativeType) {
    if (m == null) {
      return false;
    }
    if (m.table() != null && !ScopeFilter.matches(m.table(), table)) {
      return false;
    }
    if (m.column() != null && !ScopeFilter.matches(m.column(), column)) {
      return false;
    }
    if (m.sourceType() != null) {
      String glob = normalize(m.sourceType());
      String type = typeOnly(normalize(nativeType));
      String subject = glob.indexOf('(') >= 0 ? type : withoutModifiers(type);
      return ScopeFilter.matches(glob, subject);
    }
    return true;
  }

  /** Lower case, runs of blanks as one space, no blanks around parentheses and commas. */
  static String normalize(String type) {
    return type.trim()
        .toLowerCase(Locale.ROOT)
        .replaceAll("\\s+", " ")
        .replaceAll(" ?([(),]) ?", "$1")
        .replaceAll("\\)(?=[a-z])", ") ");
  }

  /**
   * The type part of a native spelling: MySQL's catalog adds {@code character set ...}, {@code
   * collate ...} and {@code generated always as ...} to it, which a type glob does not mention.
   */
  static String typeOnly(String t) {
    return io.migrationstudio.core.schema.TypeSpelling.typeOnly(t);
  }

  /** {@code int(10) unsigned} → {@code int unsigned}; {@code enum('a','b')} → {@code enum}. */
  static String withoutModifiers(String type) {
    StringBuilder out = new StringBuilder();
    int depth = 0;
    boolean quoted = false;
    for (int i = 0; i < type.length(); i++) {
      char ch = type.charAt(i);
      if (quoted) {
        quoted = ch != '\'';
      } else if (ch == '\'') {
        quoted = depth > 0;
      } else if (ch == '(') {
        depth++;
      } else if (ch == ')') {
        depth = Math.max(0, depth - 1);
      } else if (depth == 0) {
        out.append(ch);
      }
    }
    return out.toString().trim().replaceAll("\\s+", " ");
  }

  /**
   * "mapping.type_rules[1] (source_type datetime, table *) → timestamptz": the origin of a
   * decision.
   */
  public static String describe(Indexed r) {
    List<String> parts = new ArrayList<>();
    TypeRule.Match m = r.rule().match();
    if (m != null) {
      if (m.sourceType() != null) {
        parts.add("source_type " + m.sourceType());
      }
      if (m.table() != null) {
        parts.add("table " + m.table());
      }
      if (m.column() != null) {
        parts.add("column " + m.column());
      }
    }
    return "mapping.type_rules["
        + r.index()
        + "] ("
        + String.join(", ", parts)
        + ") → "
        + r.rule().targetType();
  }

  /**
   * The canonical type name of a PostgreSQL target type spelling, or null when the studio cannot
   * write it (an unknown type name).
   */
  public static String canonicalOf(String targetType) {
    CanonicalType c = TargetType.parse(targetType).canonical();
    return c == CanonicalType.UNSUPPORTED ? null : c.name();
  }
}
