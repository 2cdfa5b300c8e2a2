package io.migrationstudio.core.dialect.mariadb;

import io.migrationstudio.core.dialect.DataProbe;
import io.migrationstudio.core.dialect.ProbeQueries;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * The risk checks' data questions on MySQL/MariaDB. Each answer is two queries over the table:
 * {@code COUNT(*)} of the matching rows and their first {@link #MAX_EXAMPLES} keys in key order.
 * Names are quoted through {@link MariaDbDialect#quote} (backticks); values (limits, names in
 * catalog lookups) are bind parameters. MySQL can store both anomalies: NUL bytes in any string and
 * zero dates (or zero months/days) whenever the server's {@code sql_mode} allowed them on write.
 * Zero dates are searched with the session's {@code sql_mode} relaxed to {@code ''} (strict modes
 * turn some zero-in-date reads into NULL with a warning), and the caller's mode restored after.
 */
final class MariaDbDataProbe implements DataProbe {
  private final MariaDbDialect dialect;
  private final Connection connection;
  private final String schema;

  /** {@code schema} "" means the connection's current database, as in {@link MariaDbDialect}. */
  MariaDbDataProbe(MariaDbDialect dialect, Connection connection, String schema) {
    this.dialect = dialect;
    this.connection = connection;
    this.schema = schema == null ? "" : schema;
  }

  @Override
  public String engine() {
    return dialect.name();
  }

  /** MySQL strings can hold NUL bytes and its date types zero dates: both must be probed. */
  @Override
  public Optional<String> cannotHold(Anomaly anomaly) {
    return Optional.empty();
  }

  @Override
  public Sample nulBytes(String table, String column, List<String> keyColumns) {
    String what = "probing " + table + "." + column + " for NUL bytes";
    return sample(
        table, "LOCATE(CHAR(0), " + dialect.quote(column) + ") > 0", List.of(), keyColumns, what);
  }

  @Override
  public Sample zeroDates(String table, String column, List<String> keyColumns) {
    String what = "probing " + table + "." + column + " for zero dates";
    String q = dialect.quote(column);
    String condition = "(YEAR(" + q + ") = 0 OR MONTH(" + q + ") = 0 OR DAYOFMONTH(" + q + ") = 0)";
    String saved;
    try (PreparedStatement ps = connection.prepareStatement("SELECT @@SESSION.sql_mode");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      saved = rs.getString(1);
    } catch (SQLException e) {
      throw dialect.classify(e, what + " (reading the session's sql_mode)");
    }
    setSqlMode("", what);
    try {
      return sample(table, condition, List.of(), keyColumns, what);
    } finally {
      setSqlMode(saved == null ? "" : saved, what + " (restoring the session's sql_mode)");
    }
  }

  @Override
  public Sample valuesAbove(
      String table, String column, BigInteger limit, List<String> keyColumns) {
    String what = "probing " + table + "." + column + " for values above " + limit;
    return sample(
        table, dialect.quote(column) + " > ?", List.of(new BigDecimal(limit)), keyColumns, what);
  }

  /**
   * Groups by the lower-cased keys and counts the distinct keys as stored in binary, since the
   * usual {@code *_ci} collations would call {@code 'A'} and {@code 'a'} the same.
   */
  @Override
  public Sample caseInsensitiveDuplicates(
      String table, List<String> keyColumns, List<String> textColumns) {
    String what = "probing " + table + " " + keyColumns + " for case-insensitive duplicates";
    StringJoiner folded = new StringJoiner(", ");
    StringJoiner original = new StringJoiner(", ", "COUNT(DISTINCT ", ")");
    StringJoiner notNull = new StringJoiner(" AND ");
    StringJoiner group = new StringJoiner(", ");
    StringJoiner order = new StringJoiner(", ");
    for (int i = 0; i < keyColumns.size(); i++) {
      String q = dialect.quote(keyColumns.get(i));
      String text = "CAST(" + q + " AS CHAR)";
      folded.add(
          (textColumns.contains(keyColumns.get(i)) ? "LOWER(" + text + ")" : text) + " AS k" + i);
      original.add("CAST(" + q + " AS BINARY)");
      notNull.add(q + " IS NOT NULL");
      group.add("k" + i);
      order.add("CAST(k" + i + " AS BINARY)");
    }
    String groups =
        " FROM (SELECT "
            + folded
            + ", COUNT(*) AS n FROM "
            + dialect.qualify(schema, table)
            + " WHERE "
            + notNull
            + " GROUP BY "
            + group
            + " HAVING "
            + original
            + " > 1) g";
    try {
      return ProbeQueries.countThenKeys(
          connection,
          "SELECT COALESCE(SUM(n), 0)" + groups,
          "SELECT " + group + groups + " ORDER BY " + order + " LIMIT " + MAX_EXAMPLES,
          keyColumns.size());
    } catch (SQLException e) {
      throw dialect.classify(e, what);
    }
  }

  @Override
  public List<String> nonEmptyTables() {
    String what = "listing the non-empty tables of database " + schemaLabel();
    List<String> tables = new ArrayList<>();
    try {
      try (PreparedStatement ps =
          connection.prepareStatement(
              "SELECT TABLE_NAME FROM information_schema.TABLES"
                  + " WHERE CAST(TABLE_SCHEMA AS BINARY)"
                  + " = CAST(COALESCE(NULLIF(?, ''), DATABASE()) AS BINARY)"
                  + " AND TABLE_SCHEMA = COALESCE(NULLIF(?, ''), DATABASE())"
                  + " AND TABLE_TYPE = 'BASE TABLE'")) {
        MariaDbCatalog.bindSchema(ps, schema);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            tables.add(rs.getString(1));
          }
        }
      }
      tables.sort(null);
      List<String> nonEmpty = new ArrayList<>();
      for (String t : tables) {
        try (PreparedStatement ps =
                connection.prepareStatement(
                    "SELECT EXISTS (SELECT 1 FROM " + dialect.qualify(schema, t) + ")");
            ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getBoolean(1)) {
            nonEmpty.add(t);
          }
        }
      }
      return List.copyOf(nonEmpty);
    } catch (SQLException e) {
      throw dialect.classify(e, what);
    }
  }

  @Override
  public Optional<String> defaultCollation() {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA"
                + " WHERE SCHEMA_NAME = COALESCE(NULLIF(?, ''), DATABASE())"
                + " AND CAST(SCHEMA_NAME AS BINARY)"
                + " = CAST(COALESCE(NULLIF(?, ''), DATABASE()) AS BINARY)")) {
      MariaDbCatalog.bindSchema(ps, schema);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw dialect.classify(e, "reading the default collation of database " + schemaLabel());
    }
  }

  /** MySQL has no extensions (plugins are not per database). */
  @Override
  public Optional<Boolean> hasExtension(String name) {
    return Optional.empty();
  }

  private String schemaLabel() {
    return schema.isEmpty() ? "(the connection's current database)" : schema;
  }

  private void setSqlMode(String mode, String what) {
    try (PreparedStatement ps = connection.prepareStatement("SET SESSION sql_mode = ?")) {
      ps.setString(1, mode);
      ps.execute();
    } catch (SQLException e) {
      throw dialect.classify(e, what + " (setting the session's sql_mode)");
    }
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
        "CAST(%s AS CHAR)",
        what);
  }
}
