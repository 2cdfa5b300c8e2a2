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

  @Override
  public Optional<io.migrationstudio.core.dialect.CaptureReadiness> captureReadiness() {
    return Optional.of(new MariaDbCaptureReadiness(dialect, connection));
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
        tables.addAll(ProbeQueries.firstColumn(ps));
      }
      tables.sort(null);
      return ProbeQueries.nonEmpty(connection, dialect, schema, tables);
    } catch (SQLException e) {
      throw dialect.classify(e, what);
    }
  }

  /**
   * Tables listed in information_schema but not readable as a whole ({@code SELECT *} denied:
   * another privilege or column grants only), and whether tables may be unlisted: MariaDB lists a
   * user only the tables it holds some privilege on, so without SELECT on the database (or
   * globally) a table without a grant is invisible. PROCESS lets {@code
   * information_schema.INNODB_SYS_TABLES} list every InnoDB table, which then names them; without
   * it the answer names the privilege missing.
   */
  @Override
  public Optional<Readability> readability() {
    String what = "checking which tables of database " + schemaLabel() + " the user can read";
    try {
      String db = database();
      List<String> listed = listedTables(db);
      List<String> unreadable = new ArrayList<>();
      for (String t : listed) {
        if (!readable(dialect, connection, db, t)) {
          unreadable.add(t);
        }
      }
      String unlisted = null;
      if (!selectOnDatabase(db)) {
        Optional<List<String>> all = innoDbTables(db);
        if (all.isPresent()) {
          all.get().stream().filter(t -> !listed.contains(t)).forEach(unreadable::add);
        } else {
          unlisted =
              "the user holds no SELECT on "
                  + dialect.quote(db)
                  + ".* (its grants are per table), and MariaDB lists a user only the tables it"
                  + " holds a privilege on, so tables without a grant are invisible to it; grant"
                  + " SELECT ON "
                  + dialect.quote(db)
                  + ".* (or PROCESS, which lets the assessment name the InnoDB tables it cannot"
                  + " read)";
        }
      }
      unreadable.sort(null);
      return Optional.of(new Readability(unreadable, unlisted));
    } catch (SQLException e) {
      throw dialect.classify(e, what);
    }
  }

  /**
   * Whether the user may {@code SELECT *} from a table: error 1142 (table) or 1143 (column access
   * denied) says no; the statement reads no row.
   */
  static boolean readable(MariaDbDialect dialect, Connection c, String db, String table)
      throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement("SELECT * FROM " + dialect.qualify(db, table) + " WHERE 1 = 0");
        ResultSet rs = ps.executeQuery()) {
      return true;
    } catch (SQLException e) {
      if (e.getErrorCode() == 1142 || e.getErrorCode() == 1143) {
        return false;
      }
      throw e;
    }
  }

  private String database() throws SQLException {
    if (!schema.isEmpty()) {
      return schema;
    }
    try (PreparedStatement ps = connection.prepareStatement("SELECT DATABASE()");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getString(1);
    }
  }

  private List<String> listedTables(String db) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?"
                + " AND CAST(TABLE_SCHEMA AS BINARY) = CAST(? AS BINARY)"
                + " AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')")) {
      MariaDbCatalog.bindSchema(ps, db);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    out.sort(null);
    return out;
  }

  /**
   * Whether the current user (or its current role) holds SELECT globally or on a database pattern
   * matching {@code db} ({@code LIKE}, as the server matches grant patterns; exact in case).
   * information_schema shows a user its own grants; grants to PUBLIC are not listed there.
   */
  private boolean selectOnDatabase(String db) throws SQLException {
    String grantee =
        "GRANTEE IN (CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@', 1), '''@''',"
            + " SUBSTRING_INDEX(CURRENT_USER(), '@', -1), ''''),"
            + " CONCAT('''', COALESCE(CURRENT_ROLE(), ''), ''''))";
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT EXISTS (SELECT 1 FROM information_schema.USER_PRIVILEGES"
                + " WHERE PRIVILEGE_TYPE = 'SELECT' AND "
                + grantee
                + ") OR EXISTS (SELECT 1 FROM information_schema.SCHEMA_PRIVILEGES"
                + " WHERE PRIVILEGE_TYPE = 'SELECT' AND "
                + grantee
                + " AND CAST(? AS BINARY) LIKE CAST(TABLE_SCHEMA AS BINARY))")) {
      ps.setString(1, db);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  /**
   * Every InnoDB table of {@code db} from {@code INNODB_SYS_TABLES} (names in the server's file
   * name encoding, {@code @XXXX} for other characters), or empty without PROCESS (error 1227).
   */
  private Optional<List<String>> innoDbTables(String db) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps =
            connection.prepareStatement("SELECT NAME FROM information_schema.INNODB_SYS_TABLES");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        String name = rs.getString(1);
        int slash = name.indexOf('/');
        if (slash > 0 && fileName(name.substring(0, slash)).equals(db)) {
          out.add(fileName(name.substring(slash + 1)));
        }
      }
    } catch (SQLException e) {
      if (e.getErrorCode() == 1227) {
        return Optional.empty();
      }
      throw e;
    }
    return Optional.of(out);
  }

  /** Decodes the {@code @XXXX} (four hex digits) escapes of a MySQL file name. */
  static String fileName(String encoded) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < encoded.length(); i++) {
      char ch = encoded.charAt(i);
      if (ch == '@'
          && i + 4 < encoded.length()
          && encoded.substring(i + 1, i + 5).matches("[0-9a-fA-F]{4}")) {
        out.append((char) Integer.parseInt(encoded.substring(i + 1, i + 5), 16));
        i += 4;
      } else {
        out.append(ch);
      }
    }
    return out.toString();
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
