package io.migrationstudio.core.dialect.sqlite;

import io.migrationstudio.core.dialect.DataProbe;
import io.migrationstudio.core.dialect.ProbeQueries;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * The risk checks' data questions on SQLite. Each answer is two queries over the table: {@code
 * count(*)} of the matching rows and their first {@link #MAX_EXAMPLES} keys in key order. Names are
 * quoted through {@link SqliteDialect#quote}; values are bind parameters.
 *
 * <p>SQLite stores whatever it is given: text may hold NUL bytes (most text functions stop at the
 * first one, so the probe searches the value's bytes, {@code CAST(col AS BLOB)}) and a "date"
 * column may hold the text {@code 0000-00-00} copied from MySQL. {@code lower()} folds ASCII
 * letters only (SQLite without ICU), so case-insensitive duplicates are found for ASCII text.
 */
final class SqliteDataProbe implements DataProbe {
  private final SqliteDialect dialect;
  private final Connection connection;
  private final String schema;

  /** {@code schema} is an attached schema name ({@code main} by default; "" means main). */
  SqliteDataProbe(SqliteDialect dialect, Connection connection, String schema) {
    this.dialect = dialect;
    this.connection = connection;
    this.schema = schema == null || schema.isEmpty() ? dialect.defaultSchema() : schema;
  }

  @Override
  public String engine() {
    return dialect.name();
  }

  /** SQLite has no type that rejects NUL bytes or zero dates: both must be probed. */
  @Override
  public Optional<String> cannotHold(Anomaly anomaly) {
    return Optional.empty();
  }

  /** Searches the stored bytes: text and blob values alike, past an embedded NUL. */
  @Override
  public Sample nulBytes(String table, String column, List<String> keyColumns) {
    String what = "probing " + table + "." + column + " for NUL bytes";
    return sample(
        table,
        "instr(CAST(" + dialect.quote(column) + " AS BLOB), x'00') > 0",
        List.of(),
        keyColumns,
        what);
  }

  /**
   * Text values with a zero year, month or day in {@code YYYY-MM-DD} form ({@code 0000-00-00},
   * {@code 2024-00-10}, with or without a time); numeric dates (Julian days, Unix time) cannot be
   * zero dates.
   */
  @Override
  public Sample zeroDates(String table, String column, List<String> keyColumns) {
    String what = "probing " + table + "." + column + " for zero dates";
    String q = dialect.quote(column);
    String date =
        "typeof("
            + q
            + ") = 'text' AND "
            + q
            + " GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'";
    String zero =
        "(substr("
            + q
            + ", 1, 4) = '0000' OR substr("
            + q
            + ", 6, 2) = '00' OR substr("
            + q
            + ", 9, 2) = '00')";
    return sample(table, date + " AND " + zero, List.of(), keyColumns, what);
  }

  /** Compares as numbers: text holding a number counts, as SQLite's numeric affinity would. */
  @Override
  public Sample valuesAbove(
      String table, String column, BigInteger limit, List<String> keyColumns) {
    String what = "probing " + table + "." + column + " for values above " + limit;
    return sample(
        table,
        "CAST(" + dialect.quote(column) + " AS NUMERIC) > CAST(? AS NUMERIC)",
        List.of(limit.toString()),
        keyColumns,
        what);
  }

  @Override
  public Sample caseInsensitiveDuplicates(
      String table, List<String> keyColumns, List<String> textColumns) {
    String what = "probing " + table + " " + keyColumns + " for case-insensitive duplicates";
    StringJoiner folded = new StringJoiner(", ");
    StringJoiner original = new StringJoiner(" || ',' || ", "count(DISTINCT ", ")");
    StringJoiner notNull = new StringJoiner(" AND ");
    StringJoiner group = new StringJoiner(", ");
    for (int i = 0; i < keyColumns.size(); i++) {
      String q = dialect.quote(keyColumns.get(i));
      String text = "CAST(" + q + " AS TEXT)";
      folded.add(
          (textColumns.contains(keyColumns.get(i)) ? "lower(" + text + ")" : text) + " AS k" + i);
      original.add("quote(" + q + ")");
      notNull.add(q + " IS NOT NULL");
      group.add("k" + i);
    }
    String groups =
        " FROM (SELECT "
            + folded
            + ", count(*) AS n FROM "
            + dialect.qualify(schema, table)
            + " WHERE "
            + notNull
            + " GROUP BY "
            + group
            + " HAVING "
            + original
            + " > 1)";
    try {
      return ProbeQueries.countThenKeys(
          connection,
          "SELECT coalesce(sum(n), 0)" + groups,
          "SELECT " + group + groups + " ORDER BY " + group + " LIMIT " + MAX_EXAMPLES,
          keyColumns.size());
    } catch (SQLException e) {
      throw dialect.classify(e, what);
    }
  }

  /** Ordinary tables of the schema, without SQLite's own {@code sqlite_*} tables. */
  @Override
  public List<String> nonEmptyTables() {
    String what = "listing the non-empty tables of schema " + schema;
    List<String> tables = new ArrayList<>();
    try {
      try (PreparedStatement ps =
          connection.prepareStatement(
              "SELECT name FROM pragma_table_list WHERE schema = ? AND type = 'table'"
                  + " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")) {
        ps.setString(1, schema);
        tables.addAll(ProbeQueries.firstColumn(ps));
      }
      tables.sort(null);
      return ProbeQueries.nonEmpty(connection, dialect, schema, tables);
    } catch (SQLException e) {
      throw dialect.classify(e, what);
    }
  }

  /** SQLite compares text with BINARY unless a column names another collation. */
  @Override
  public Optional<String> defaultCollation() {
    return Optional.of("BINARY");
  }

  /** SQLite's loadable extensions are per connection, not installed in the database. */
  @Override
  public Optional<Boolean> hasExtension(String name) {
    return Optional.empty();
  }

  /** Count of rows matching {@code condition}, then up to five of their keys in key order. */
  private Sample sample(
      String table, String condition, List<Object> params, List<String> keyColumns, String what) {
    return ProbeQueries.sample(
        connection,
        dialect,
        dialect.qualify(schema, table),
        condition,
        params,
        keyColumns,
        "CAST(%s AS TEXT)",
        what);
  }
}
