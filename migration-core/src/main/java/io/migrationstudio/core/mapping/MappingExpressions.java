package io.migrationstudio.core.mapping;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.expr.CompiledExpression;
import io.migrationstudio.core.expr.ExpressionCompiler;
import io.migrationstudio.core.schema.CanonicalType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The CEL expressions of one mapped table, compiled: a TRANSFORM or DERIVE column's {@code
 * expression}, a DEFAULT column's {@code expression} or else its {@code default} (a constant such
 * as {@code true}, {@code 0} or {@code 'unknown'} is a CEL expression too). Each is type-checked
 * against the source table's columns and produces the target column's canonical type. The loader
 * compiles them against the inventory; Migrate, the dry run and validation compile them against the
 * mapping's own source columns (their {@code source_type} read by the source dialect).
 */
public final class MappingExpressions {
  private static final ExpressionCompiler COMPILER = new ExpressionCompiler();

  private MappingExpressions() {}

  /**
   * The CEL text a copied column is computed by, or null when the column reads its source column
   * (MAP, CAST) or is a DEFAULT column with neither {@code expression} nor {@code default} (NULL).
   */
  public static String expressionOf(ColumnMapping c) {
    return switch (c.disposition()) {
      case TRANSFORM, DERIVE -> blankToNull(c.expression());
      case DEFAULT -> !blank(c.expression()) ? c.expression() : blankToNull(c.defaultValue());
      case MAP, CAST, DROP -> null;
    };
  }

  /**
   * Whether a copied column's value is computed in Java rather than read from the source: a CEL
   * column, or a MAP/CAST column with a value map (its raw source value is read and looked up).
   */
  public static boolean computed(ColumnMapping c) {
    return switch (c.disposition()) {
      case TRANSFORM, DERIVE, DEFAULT -> true;
      case MAP, CAST -> c.hasValueMap();
      case DROP -> false;
    };
  }

  /**
   * The value maps of {@code table}, by target column, for source columns of the given canonical
   * types; each problem is one entry in {@code problems}.
   */
  public static Map<String, ValueMap> valueMaps(
      TableMapping table, Map<String, CanonicalType> sourceColumns, List<String> problems) {
    Map<String, ValueMap> out = new LinkedHashMap<>();
    for (ColumnMapping c : table.copiedColumns()) {
      if (c.hasValueMap()) {
        ValueMap m = ValueMap.compile(table.source(), c, sourceColumns.get(c.source()), problems);
        if (m != null) {
          out.put(c.target(), m);
        }
      }
    }
    return out;
  }

  /**
   * The value maps of {@code table} against the source columns the mapping names: what Migrate, the
   * dry run and validation apply.
   *
   * @throws MigrationException INVALID_ARTIFACT listing every value map that does not convert
   */
  public static Map<String, ValueMap> valueMaps(TableMapping table, Dialect source) {
    List<String> problems = new ArrayList<>();
    // a user-defined type the dialect cannot tell by its name alone (a PostgreSQL enum or domain)
    // is read as its text, as the reader reads it; the loader checked the keys against the
    // inventory's type
    Map<String, CanonicalType> types = new TreeMap<>(sourceColumns(table, source));
    types.replaceAll((k, t) -> t == CanonicalType.UNSUPPORTED ? CanonicalType.TEXT : t);
    Map<String, ValueMap> out = valueMaps(table, types, problems);
    if (!problems.isEmpty()) {
      throw new MigrationException(
          ErrorCode.INVALID_ARTIFACT,
          "mapping.yaml has "
              + problems.size()
              + " value map problem(s); fix them and re-run the mapping stage:\n- "
              + String.join("\n- ", problems));
    }
    return out;
  }

  /**
   * Compiles every expression of {@code table} against {@code sourceColumns}; each failure is one
   * message in {@code problems} (naming table, column, expression and CEL's message).
   *
   * @return target column → compiled expression, for the columns that compiled
   */
  public static Map<String, CompiledExpression> compile(
      TableMapping table, Map<String, CanonicalType> sourceColumns, List<String> problems) {
    Map<String, CompiledExpression> out = new LinkedHashMap<>();
    for (ColumnMapping c : table.copiedColumns()) {
      String text = expressionOf(c);
      if (text == null) {
        continue;
      }
      CanonicalType result = c.canonical() != null ? c.canonical() : CanonicalType.TEXT;
      try {
        out.put(
            c.target(), COMPILER.compile(table.source(), c.target(), text, sourceColumns, result));
      } catch (MigrationException e) {
        problems.add(e.getMessage());
      }
    }
    return out;
  }

  /**
   * Compiles every expression of {@code table} against the source columns the mapping names (with
   * their {@code source_type} read by {@code source}): what Migrate, the dry run and validation
   * evaluate.
   *
   * @throws MigrationException INVALID_ARTIFACT listing every expression that does not compile
   */
  public static Map<String, CompiledExpression> compile(TableMapping table, Dialect source) {
    List<String> problems = new ArrayList<>();
    Map<String, CompiledExpression> out = compile(table, sourceColumns(table, source), problems);
    if (!problems.isEmpty()) {
      throw new MigrationException(
          ErrorCode.INVALID_ARTIFACT,
          "mapping.yaml has "
              + problems.size()
              + " expression(s) that do not compile; fix them and re-run the mapping stage:\n- "
              + String.join("\n- ", problems));
    }
    return out;
  }

  /** The source columns the mapping names, each with its source type's canonical type. */
  public static Map<String, CanonicalType> sourceColumns(TableMapping table, Dialect source) {
    Map<String, CanonicalType> columns = new TreeMap<>();
    for (ColumnMapping c : table.columns()) {
      if (c.source() != null && !blank(c.sourceType())) {
        columns.putIfAbsent(c.source(), source.canonicalType(c.sourceType()));
      }
    }
    return columns;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static String blankToNull(String s) {
    return blank(s) ? null : s;
  }
}
