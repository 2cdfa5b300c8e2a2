package io.migrationstudio.core.copy;

import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialect.KeyColumn;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What the source's key counters would hand out next, per target column: the identity or owned
 * sequence of a PostgreSQL source, a MariaDB/MySQL table's {@code AUTO_INCREMENT}, an SQLite {@code
 * AUTOINCREMENT} table's {@code sqlite_sequence} (through {@link Dialect#nextKeys}). Read when the
 * load ends and again at the cutover, for every column whose counter the target sets ({@link
 * TargetSchema#sequenceStatements(SourceCounters)}): the target's counter then starts past the
 * largest copied key and past the source's counter, so keys of rows deleted on the source (the top
 * ones) are not handed out again. {@link #NONE}: largest copied key only.
 */
public final class SourceCounters {
  /** No source counter known: counters are set past the largest copied key. */
  public static final SourceCounters NONE = new SourceCounters(Map.of());

  private final Map<String, Long> next;

  private SourceCounters(Map<String, Long> next) {
    this.next = Map.copyOf(next);
  }

  /**
   * Reads the source counter of every column {@code counted} by the target, all in one {@link
   * Dialect#nextKeys} call (a few statements whatever the number of tables: the cutover reads them
   * while the source is frozen).
   */
  public static SourceCounters read(
      Connection source, Dialect sourceDialect, MappingDocument mapping) throws SQLException {
    String schema =
        mapping.sourceSchema() == null || mapping.sourceSchema().isBlank()
            ? sourceDialect.defaultSchema()
            : mapping.sourceSchema();
    // a source column read once, for every target column it is copied to
    Map<KeyColumn, List<String>> targetKeys = new LinkedHashMap<>();
    for (TableMapping t : mapping.tables()) {
      for (ColumnMapping c : t.copiedColumns()) {
        if (c.source() != null && counted(mapping, t, c)) {
          targetKeys
              .computeIfAbsent(new KeyColumn(t.source(), c.source()), k -> new ArrayList<>())
              .add(key(t.target(), c.target()));
        }
      }
    }
    Map<String, Long> next = new HashMap<>();
    sourceDialect
        .nextKeys(source, schema, targetKeys.keySet())
        .forEach((column, n) -> targetKeys.get(column).forEach(k -> next.put(k, n)));
    return new SourceCounters(next);
  }

  /** The source's next value for target column {@code column} of target table {@code table}. */
  public OptionalLong next(String table, String column) {
    Long n = next.get(key(table, column));
    return n == null ? OptionalLong.empty() : OptionalLong.of(n);
  }

  /** Whether the target sets a counter for {@code c}: an identity, or a mapped owned sequence. */
  private static boolean counted(MappingDocument mapping, TableMapping t, ColumnMapping c) {
    return c.identity()
        || mapping.sequences().stream()
            .anyMatch(s -> t.target().equals(s.table()) && c.target().equals(s.column()));
  }

  private static String key(String table, String column) {
    return table + '\0' + column;
  }
}
