package io.migrationstudio.core.dialect.sqlite;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.dialect.DataProbe;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.Inventory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * SQLite (xerial driver, {@code jdbc:sqlite:/path/file.db}) as a source.
 *
 * <p>Schemas are SQLite's attached databases: {@code main} by default. Connections are opened
 * without the driver's default CREATE flag (see {@link #connectionProperties}), so a wrong path
 * fails with SQLITE_CANTOPEN instead of silently inventorying a new empty file.
 *
 * <p>No {@link #writeFreeze()}: SQLite has no server to refuse writes from other sessions. Writes
 * stop at file level — the application is stopped, or the file is made read-only or swapped — which
 * the cutover runbook must name as a manual step; so this dialect reports {@code Optional.empty()}.
 */
public final class SqliteDialect implements Dialect {
  /** SQLITE_OPEN_READWRITE without SQLITE_OPEN_CREATE (the driver's default adds CREATE). */
  private static final String OPEN_READWRITE_NO_CREATE = "2";

  @Override
  public String name() {
    return "sqlite";
  }

  @Override
  public boolean accepts(String jdbcUrl) {
    return jdbcUrl != null && jdbcUrl.startsWith("jdbc:sqlite:");
  }

  @Override
  public String defaultSchema() {
    return "main";
  }

  /** {@code PRAGMA query_only}: the driver fixes its read-only flag when the file is opened. */
  @Override
  public void makeSessionReadOnly(Connection connection) throws SQLException {
    try (Statement st = connection.createStatement()) {
      st.execute("PRAGMA query_only = ON");
    }
  }

  @Override
  public void beginReadOnlyTransaction(Connection connection) throws SQLException {
    makeSessionReadOnly(connection);
    connection.setAutoCommit(false);
  }

  @Override
  public String quote(String identifier) {
    return Dialect.quoteDoubled(identifier);
  }

  @Override
  public Map<String, String> connectionProperties() {
    return Map.of("open_mode", OPEN_READWRITE_NO_CREATE);
  }

  /**
   * By SQLite's primary result code (the vendor code's low byte; SQLState is always null): CANTOPEN
   * and NOTADB (no database at that path) and ERROR (no such table, syntax) are missing objects;
   * BUSY, LOCKED and IOERR transient (another process holds the file; retried); AUTH an
   * authentication failure; CONSTRAINT and everything else permanent.
   */
  @Override
  public MigrationException classify(SQLException e, String what) {
    int primary = e.getErrorCode() & 0xFF;
    ErrorCode code;
    String hint;
    switch (primary) {
      case 14 -> {
        code = ErrorCode.MISSING_OBJECT;
        hint = "check the path of the database file in the URL: it must exist and be readable";
      }
      case 26 -> {
        code = ErrorCode.MISSING_OBJECT;
        hint = "the file at that path is not an SQLite database; check the path in the URL";
      }
      case 1 -> {
        code = ErrorCode.MISSING_OBJECT;
        hint = "check that the object (or attached schema) exists";
      }
      case 5, 6, 10 -> {
        code = ErrorCode.TRANSIENT_SQL;
        hint =
            "another process holds a lock on the database file; it works again once the lock is released";
      }
      case 23 -> {
        code = ErrorCode.AUTHENTICATION_FAILED;
        hint = "the database's authorizer refused the access";
      }
      default -> {
        code = ErrorCode.PERMANENT_SQL;
        hint = "fix the data or the mapping and re-run";
      }
    }
    String message =
        what
            + " failed: "
            + MigrationException.redact(e.getMessage())
            + " (SQLite result code "
            + resultCodeName(e)
            + ", vendor code "
            + e.getErrorCode()
            + ", SQLState "
            + (e.getSQLState() == null ? "none" : e.getSQLState())
            + "); "
            + hint;
    return new MigrationException(code, message, e);
  }

  private static String resultCodeName(SQLException e) {
    if (e instanceof SQLiteException s && s.getResultCode() != null) {
      return s.getResultCode().name();
    }
    if (e.getErrorCode() == 0) {
      return "none"; // a failure raised by the driver itself, not by SQLite
    }
    SQLiteErrorCode c = SQLiteErrorCode.getErrorCode(e.getErrorCode());
    return c == SQLiteErrorCode.UNKNOWN_ERROR ? "none" : c.name();
  }

  /** See {@link SqliteTypes} for the affinity rules. */
  @Override
  public CanonicalType canonicalType(String nativeType) {
    return SqliteTypes.canonical(nativeType);
  }

  @Override
  public Inventory introspect(Connection connection, String schema, Predicate<String> tableFilter)
      throws SQLException {
    return new SqliteCatalog(this).read(connection, schema, tableFilter);
  }

  /**
   * {@code sqlite_sequence.seq + 1} of each {@code AUTOINCREMENT} table, read in one pass over
   * {@code sqlite_sequence} (SQLite keeps a row there for such tables only, once a row was
   * inserted): its rowid alias never takes a key up to {@code seq} again. A plain {@code INTEGER
   * PRIMARY KEY} takes max + 1, deleted keys included: absent.
   */
  @Override
  public Map<KeyColumn, Long> nextKeys(
      Connection connection, String schema, Collection<KeyColumn> columns) throws SQLException {
    String s = quote(schema == null || schema.isBlank() ? defaultSchema() : schema);
    if (columns.isEmpty()) {
      return Map.of();
    }
    try (PreparedStatement exists =
            connection.prepareStatement(
                "SELECT count(*) FROM "
                    + s
                    + ".sqlite_schema WHERE type = 'table' AND name = 'sqlite_sequence'");
        ResultSet rs = exists.executeQuery()) {
      if (!rs.next() || rs.getInt(1) == 0) {
        return Map.of();
      }
    }
    Map<String, Long> seq = new HashMap<>();
    try (PreparedStatement ps =
            connection.prepareStatement("SELECT name, seq FROM " + s + ".sqlite_sequence");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        seq.put(rs.getString(1), rs.getLong(2) + 1);
      }
    }
    Map<KeyColumn, Long> out = new HashMap<>();
    for (KeyColumn c : columns) {
      Long next = seq.get(c.table());
      if (next != null) {
        out.put(c, next);
      }
    }
    return out;
  }

  /**
   * The xerial driver steps the statement row by row ({@code sqlite3_step}) as {@code next()} is
   * called, so any forward-only result set streams; the fetch size is set for form's sake and the
   * connection's transaction state is left alone.
   */
  @Override
  public PreparedStatement streamingQuery(Connection connection, String sql, int fetchSize)
      throws SQLException {
    PreparedStatement ps =
        connection.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
    ps.setFetchSize(fetchSize);
    return ps;
  }

  /** {@code sqlite_version()}: the library's version, e.g. {@code 3.51.0}. */
  @Override
  public String serverVersion(Connection connection) throws SQLException {
    return Dialect.queryString(connection, "SELECT sqlite_version()");
  }

  /** Empty: a write freeze is a file-level matter for SQLite (see the class comment). */
  /**
   * SQLite data probe: NUL bytes, zero dates stored as text, values above a limit, case-insensitive
   * duplicates, non-empty tables.
   */
  @Override
  public Optional<DataProbe> dataProbe(Connection connection, String schema) {
    return Optional.of(new SqliteDataProbe(this, connection, schema));
  }

  @Override
  public Optional<WriteFreeze> writeFreeze() {
    return Optional.empty();
  }
}
