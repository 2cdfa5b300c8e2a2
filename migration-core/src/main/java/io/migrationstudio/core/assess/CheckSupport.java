package io.migrationstudio.core.assess;

import io.migrationstudio.core.schema.Column;
import io.migrationstudio.core.schema.ForeignKey;
import io.migrationstudio.core.schema.IndexInfo;
import io.migrationstudio.core.schema.KeyConstraint;
import io.migrationstudio.core.schema.TableInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** Small helpers the checks share: object names, native type parsing, key columns. */
final class CheckSupport {
  private CheckSupport() {}

  /** {@code table.column}, as risks name a column. */
  static String object(TableInfo t, Column c) {
    return t.name() + "." + c.name();
  }

  /** {@code table.name} for a constraint or index of a table. */
  static String object(TableInfo t, String name) {
    return t.name() + "." + name;
  }

  /**
   * The native type's base name in lower case, without length, values or modifiers: {@code enum},
   * {@code set}, {@code geometry}, {@code bigint} (for {@code bigint(20) unsigned}), {@code double}
   * (for {@code double precision}).
   */
  static String baseType(Column c) {
    String t = c.nativeType().toLowerCase(Locale.ROOT).trim();
    int paren = t.indexOf('(');
    if (paren >= 0) {
      t = t.substring(0, paren);
    }
    int space = t.indexOf(' ');
    return space < 0 ? t : t.substring(0, space);
  }

  /** Whether the native type is declared unsigned (MySQL/MariaDB). */
  static boolean unsigned(Column c) {
    return c.nativeType().toLowerCase(Locale.ROOT).matches(".*\\bunsigned\\b.*");
  }

  /**
   * The columns that identify a row, for example keys in findings: the primary key, else the first
   * unique key on NOT NULL columns, else the first unique key, else none.
   */
  static List<String> identifyingColumns(TableInfo t) {
    if (t.primaryKey() != null) {
      return t.primaryKey().columns();
    }
    for (KeyConstraint k : t.uniqueKeys()) {
      if (k.columns().stream()
          .allMatch(c -> t.column(c).map(col -> !col.nullable()).orElse(false))) {
        return k.columns();
      }
    }
    return t.uniqueKeys().isEmpty() ? List.of() : t.uniqueKeys().get(0).columns();
  }

  /** The unique column sets of a table: primary key, unique keys and unique indexes on columns. */
  static List<List<String>> uniqueColumnSets(TableInfo t) {
    List<List<String>> sets = new ArrayList<>();
    if (t.primaryKey() != null) {
      sets.add(t.primaryKey().columns());
    }
    t.uniqueKeys().forEach(k -> sets.add(k.columns()));
    for (IndexInfo i : t.indexes()) {
      if (i.unique() && !i.columns().isEmpty() && !sets.contains(i.columns())) {
        sets.add(i.columns());
      }
    }
    return sets;
  }

  /**
   * The columns a table compares for equality: those of its primary, unique and foreign keys and of
   * its indexes.
   */
  static Set<String> comparedColumns(TableInfo t) {
    Set<String> cols = new TreeSet<>();
    uniqueColumnSets(t).forEach(cols::addAll);
    for (ForeignKey fk : t.foreignKeys()) {
      cols.addAll(fk.columns());
    }
    t.indexes().forEach(i -> cols.addAll(i.columns()));
    return cols;
  }
}
