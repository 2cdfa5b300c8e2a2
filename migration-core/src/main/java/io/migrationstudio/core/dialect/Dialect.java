package io.migrationstudio.core.dialect;

import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.Inventory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * One database engine. Implementations live in one package per engine and are discovered through
 * {@link java.util.ServiceLoader} ({@code
 * META-INF/services/io.migrationstudio.core.dialect.Dialect}); business code asks {@link
 * Dialects#forUrl} and never branches on the engine. Optional capabilities are default methods
 * returning {@code Optional.empty()}.
 */
public interface Dialect {

  /** Short engine name used in reports: {@code postgresql}, {@code mariadb}, {@code sqlite}. */
  String name();

  /**
   * Optional capability: the engine speaks PostgreSQL's protocol and catalog (COPY in text and
   * binary, {@code pg_catalog}, {@code pg_inherits} partitions, session settings such as {@code
   * maintenance_work_mem}). The copy writers, the binary pipe, the aggregates and the partition
   * counts ask this instead of comparing engine names. True for PostgreSQL only.
   */
  default boolean speaksPostgres() {
    return false;
  }

  /** Whether this dialect handles a JDBC URL. */
  boolean accepts(String jdbcUrl);

  /**
   * Whether a migration may write into this engine. The target is PostgreSQL by contract (the copy,
   * schema and validation paths speak PostgreSQL); every other engine is a source only, and the
   * spec refuses it as a target.
   */
  default boolean canBeTarget() {
    return false;
  }

  /** The schema used when the spec names none (e.g. {@code public}). */
  String defaultSchema();

  /**
   * The schema used when the spec names none, for a connection to {@code jdbcUrl}: engines whose
   * schema is the database named in the URL (MySQL/MariaDB) override this.
   */
  default String defaultSchema(String jdbcUrl) {
    return defaultSchema();
  }

  /**
   * Optional capability: the engine describes a table's partitions in {@code
   * information_schema.PARTITIONS} with MySQL's method and expression columns (MariaDB, MySQL).
   */
  default boolean partitionsInInformationSchema() {
    return false;
  }

  /** Quotes an identifier so that any name (case, spaces, quotes, unicode, reserved) is safe. */
  String quote(String identifier);

  /** {@code schema.table}, both quoted. */
  default String qualify(String schema, String table) {
    return schema == null || schema.isEmpty() ? quote(table) : quote(schema) + "." + quote(table);
  }

  /**
   * The members of a value-list column type as this engine spells it in a column's {@code
   * source_type} (MySQL/MariaDB {@code enum('a','b')}), for the CHECK the target column gets; empty
   * for any other type.
   */
  default Optional<List<String>> enumMembers(String nativeType) {
    return Optional.empty();
  }

  /**
   * The allowed members of a set type ({@code set('a','b')}: a value is a comma-separated list of
   * them), as {@link #enumMembers}; empty for any other type.
   */
  default Optional<List<String>> setMembers(String nativeType) {
    return Optional.empty();
  }

  /**
   * {@code qualifiedTable} as a {@code FROM} (or {@code DELETE FROM}) names it so that the rows of
   * tables inheriting from it are left out: PostgreSQL {@code ONLY t}, for a table-inheritance
   * parent whose children hold their own rows. Engines without table inheritance return it as is.
   */
  default String only(String qualifiedTable) {
    return qualifiedTable;
  }

  /**
   * {@code SELECT count(*) FROM <qualifiedTable>} as this engine counts a whole table exactly and
   * cheaply while it takes writes; a {@code WHERE} clause may follow.
   */
  default String countRows(String qualifiedTable) {
    return "SELECT count(*) FROM " + qualifiedTable;
  }

  /**
   * Classifies a driver failure by SQLState into a {@link MigrationException}: authentication and
   * missing objects are permanent, connection failures transient. {@code what} names the object or
   * database concerned; the message carries SQLState and vendor code, never a password, and never
   * claims a retry (only the activity's retry policy knows; {@code ActivityFailures} says it).
   */
  MigrationException classify(SQLException e, String what);

  /**
   * The classified failure of {@code what} for {@code e}: the message says what failed, the
   * driver's (redacted) message, SQLState and vendor code, then {@code hint}. The one shape of
   * every dialect's {@link #classify} message.
   */
  static MigrationException sqlFailure(
      io.migrationstudio.contracts.ErrorCode code, SQLException e, String what, String hint) {
    String state = e.getSQLState() == null || e.getSQLState().isEmpty() ? "none" : e.getSQLState();
    return new MigrationException(
        code,
        what
            + " failed: "
            + MigrationException.redact(e.getMessage())
            + " (SQLState "
            + state
            + ", vendor code "
            + e.getErrorCode()
            + "); "
            + hint,
        e);
  }

  /**
   * {@code identifier} in double quotes, inner quotes doubled (SQL standard quoting); a NUL
   * character cannot be quoted.
   */
  static String quoteDoubled(String identifier) {
    if (identifier.indexOf('\0') >= 0) {
      throw new MigrationException(
          io.migrationstudio.contracts.ErrorCode.UNSUPPORTED_TYPE,
          "identifier contains a NUL character: cannot quote it");
    }
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  /** The one text value of a query that returns one row (a version string). */
  static String queryString(Connection connection, String sql) throws SQLException {
    try (java.sql.Statement s = connection.createStatement();
        java.sql.ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /**
   * Classifies a failure to open a connection (see {@link ConnectPhase}). At {@link
   * ConnectPhase#MIGRATION_START} a transient failure means the database never worked for this
   * migration: {@code DATABASE_UNREACHABLE}, not retried. {@link ConnectPhase#DURING_STAGE} keeps
   * it {@code TRANSIENT_SQL}: the database answered before, so it is taken as a restart, failover
   * or network loss and the activity is retried with backoff. Other classes (authentication, a
   * missing database) are permanent in both phases.
   */
  default MigrationException classifyConnectFailure(
      SQLException e, String what, ConnectPhase phase) {
    MigrationException m = classify(e, what);
    if (m.code() != io.migrationstudio.contracts.ErrorCode.TRANSIENT_SQL) {
      return m;
    }
    if (phase == ConnectPhase.DURING_STAGE) {
      return m;
    }
    return new MigrationException(
        io.migrationstudio.contracts.ErrorCode.DATABASE_UNREACHABLE,
        m.getMessage()
            + ". It has not answered in this migration yet: check that the server runs and the"
            + " host and port in the URL are right, then run again",
        e);
  }

  /**
   * Driver properties that {@link Dialects#open} adds to every connection of this engine, beside
   * user and password (e.g. SQLite's open mode that refuses to create a missing database file).
   */
  default java.util.Map<String, String> connectionProperties() {
    return java.util.Map.of();
  }

  /**
   * The URL {@link Dialects#open} hands to the driver for the URL the spec states. By default the
   * same; a dialect whose driver needs an option for a scheme it is declared to accept adds it here
   * (MariaDB Connector/J takes {@code jdbc:mysql:} only with {@code permitMysqlScheme}).
   */
  default String driverUrl(String jdbcUrl) {
    return jdbcUrl;
  }

  /** The canonical type of a native type name as the catalog spells it. */
  CanonicalType canonicalType(String nativeType);

  /**
   * The catalog of {@code schema}: tables accepted by {@code tableFilter} with columns, keys,
   * checks, indexes, exact row counts and sizes; views; sequences. Lists sorted by name; load order
   * and cycles left empty (see {@code LoadOrder}).
   */
  Inventory introspect(Connection connection, String schema, Predicate<String> tableFilter)
      throws SQLException;

  /**
   * A statement that streams its result with bounded memory (cursor fetch of {@code fetchSize}
   * rows). The caller owns the connection's transaction state.
   */
  PreparedStatement streamingQuery(Connection connection, String sql, int fetchSize)
      throws SQLException;

  /**
   * Optional capability: the catalog's estimate of {@code qualifiedTable}'s rows (quoted, qualified
   * as the source queries name it), without reading the table; empty when the engine keeps none or
   * the table was never analysed.
   */
  default Optional<Long> estimatedRows(Connection connection, String qualifiedTable)
      throws SQLException {
    return Optional.empty();
  }

  /**
   * Optional capability: the values of {@code keyExpression} in a random sample of about {@code
   * percent} % of {@code qualifiedTable}'s storage, in key order, as text; the same sample for the
   * same table contents (a fixed seed), read without scanning every row. Empty when the engine
   * cannot sample.
   */
  default Optional<List<String>> sampleKeys(
      Connection connection, String qualifiedTable, String keyExpression, double percent)
      throws SQLException {
    return Optional.empty();
  }

  /**
   * Optional capability: whether chunk boundaries are read by walking the key's index on the server
   * ({@code SELECT k ... WHERE k >= ? ORDER BY k LIMIT 1 OFFSET n}, one round trip per chunk)
   * rather than by streaming every key to the client. True where the server skips offset rows
   * inside the index scan and has no cheaper sample ({@link #sampleKeys}): MariaDB and MySQL.
   */
  default boolean walksKeyIndexForChunks() {
    return false;
  }

  /** The server's version string. */
  default String serverVersion(Connection connection) throws SQLException {
    return connection.getMetaData().getDatabaseProductVersion();
  }

  /**
   * Optional capability: change capture from this engine's log for {@code migrate.strategy:
   * online}; empty when the engine has none.
   */
  default Optional<io.migrationstudio.core.cdc.ChangeCapture> changeCapture() {
    return Optional.empty();
  }

  /**
   * Freezes writes on this database for cutover (and {@link #unfreezeWrites} undoes it); empty when
   * the engine cannot.
   */
  default Optional<WriteFreeze> writeFreeze() {
    return Optional.empty();
  }

  /**
   * The rules for names on this engine (length limit, reserved words, what needs quoting), used by
   * the risk checks for the target; empty when the dialect declares none.
   */
  default Optional<IdentifierRules> identifierRules() {
    return Optional.empty();
  }

  /**
   * A probe answering the data questions of the risk checks (NUL bytes, zero dates, values out of
   * range, case-insensitive duplicates, non-empty tables) on {@code connection}, for tables of
   * {@code schema}; empty when no probe exists for this engine yet (the checks then record why they
   * were skipped). The caller owns the connection.
   */
  default Optional<DataProbe> dataProbe(Connection connection, String schema) {
    return Optional.empty();
  }

  /**
   * The select items {@code count(*), <sum of 64-bit row hashes>} computed in SQL over the values
   * of {@code quotedColumns} (already quoted, in target column order), for validation's fast path
   * on same-engine tables whose mapping is identity: the sum must be exact (no overflow) and read
   * with {@code ResultSet#getBigDecimal(2)}; validation reduces it modulo 2^64, so sums of ranges
   * add up. Empty when the engine cannot hash rows in SQL.
   */
  default Optional<String> rowHashSum(java.util.List<String> quotedColumns) {
    return Optional.empty();
  }

  /**
   * A SQL expression this engine evaluates to the value of {@code quotedColumn}, of canonical type
   * {@code type}, as a whole number of microseconds: instants (TIMESTAMPTZ) since 1970-01-01 UTC,
   * wall date-times and dates (TIMESTAMP, DATE) since the wall time 1970-01-01 00:00, times and
   * intervals (TIME, INTERVAL) as signed durations. Validation compares these numbers computed by
   * each server, so a value that a reader of the studio converted wrongly on the way cannot hide
   * behind the same reader on the check's way. Empty for other types or when the engine has none.
   */
  default Optional<String> temporalMicros(
      String quotedColumn, io.migrationstudio.core.schema.CanonicalType type) {
    return Optional.empty();
  }

  /**
   * A SQL expression this engine evaluates to the exact text of temporal column {@code
   * quotedColumn} of canonical type {@code type}, for cross-engine readers that convert the text in
   * Java; empty when the driver's own text is exact (the column is then read as it is). The MariaDB
   * driver's text of a {@code datetime(n)}/{@code timestamp(n)} with {@code n < 6} drops the
   * fraction's leading zeros ({@code .001} reads {@code .1000}), so that dialect has the server
   * write the text.
   */
  default Optional<String> exactTemporalText(
      String quotedColumn, io.migrationstudio.core.schema.CanonicalType type) {
    return Optional.empty();
  }

  /**
   * Lists the client sessions connected to the source, for the consumers of the inventory; empty
   * when the engine has no session list (SQLite).
   */
  default Optional<SessionList> sessionList() {
    return Optional.empty();
  }

  /**
   * Makes every later transaction of this session read-only, autocommit statements included (a
   * driver's {@code setReadOnly} alone may only mark transactions begun with autocommit off, as
   * pgjdbc's default {@code readOnlyMode=transaction} does). Every activity that only reads opens
   * its connections through {@link Dialects#openReadOnly}, which calls this.
   */
  default void makeSessionReadOnly(Connection connection) throws SQLException {
    connection.setReadOnly(true);
  }

  /**
   * Turns autocommit off and begins a read-only transaction, which the caller rolls back (a user's
   * query runs in one, so nothing it does survives it, even when the session was made writable).
   */
  default void beginReadOnlyTransaction(Connection connection) throws SQLException {
    connection.setAutoCommit(false);
    connection.setReadOnly(true);
  }

  /**
   * Optional capability: the current state of sequence {@code name} of {@code schema}, read now
   * (the load reads it when it ends, so values handed out during the copy count); empty when the
   * engine has no sequences. A user who may not read the sequence gets a {@link MigrationException}
   * that names the sequence and the privilege to grant.
   */
  default Optional<SequenceState> sequenceState(Connection connection, String schema, String name)
      throws SQLException {
    return Optional.empty();
  }

  /**
   * Optional capability: the value the counter behind each key column of {@code columns} (source
   * names, tables of {@code schema}) would hand to the next insert that leaves the column out, read
   * now: an identity's or owned sequence's next value, an {@code AUTO_INCREMENT} table's counter,
   * an {@code AUTOINCREMENT} table's {@code sqlite_sequence} value plus one. It can be past the
   * largest key when the rows with the top keys were deleted; the target's counter is set past both
   * ({@link io.migrationstudio.core.copy.SourceCounters}). A column without such a counter, or
   * whose counter counts down, is absent. Read in a number of statements that does not grow with
   * the number of columns: the cutover reads it while the source is frozen.
   */
  default Map<KeyColumn, Long> nextKeys(
      Connection connection, String schema, Collection<KeyColumn> columns) throws SQLException {
    return Map.of();
  }

  /** A key column whose counter {@link #nextKeys} reads: its table's and its own name. */
  record KeyColumn(String table, String column) {
    public KeyColumn {
      if (table == null || table.isBlank() || column == null || column.isBlank()) {
        throw new IllegalArgumentException(
            "a key column needs a table and a column name, got " + table + "." + column);
      }
    }
  }

  /**
   * Optional capability: the objects of {@code schema} beyond tables, keys and indexes (types,
   * routines, partitions, CHECK constraints, views, materialized views, triggers, rules, policies,
   * comments, extensions), as DDL for a target of this same engine, read from the server's own
   * definition functions; {@code tableFilter} selects the tables (source names) in scope. Empty
   * when the engine cannot describe them for a target; cross-engine migrations never ask.
   */
  default Optional<io.migrationstudio.core.schema.SchemaScript> schemaScript(
      Connection connection, String schema, Predicate<String> tableFilter) throws SQLException {
    return Optional.empty();
  }

  /**
   * {@link #schemaScript(Connection, String, Predicate)}, with ownership and grants of the objects
   * when {@code privileges} (and the roles they name checked on the target first). By default the
   * privileges are not described.
   */
  default Optional<io.migrationstudio.core.schema.SchemaScript> schemaScript(
      Connection connection, String schema, Predicate<String> tableFilter, boolean privileges)
      throws SQLException {
    return schemaScript(connection, schema, tableFilter);
  }

  /**
   * A sequence's position as PostgreSQL's {@code setval(seq, lastValue, called)} takes it: the next
   * {@code nextval} returns {@code lastValue} when {@code called} is false, the value after it
   * otherwise.
   */
  record SequenceState(long lastValue, boolean called) {}

  /** One look at the sessions connected to a database. */
  interface SessionList {
    /**
     * The client sessions now connected to the database of {@code schema}, other than {@code
     * connection}'s own and the server's background workers, grouped by application, user, host and
     * state with {@code sessions} counting each group. Order does not matter.
     */
    default java.util.List<io.migrationstudio.core.schema.ConsumerInfo> snapshot(
        Connection connection, String schema) throws SQLException {
      return snapshot(connection, schema, java.util.Set.of());
    }

    /**
     * As {@link #snapshot(Connection, String)}, also leaving out the sessions whose {@link
     * #sessionId} is in {@code alsoOwn}: the looker's other connections working at the same time
     * (the assessment's probes while it samples the consumers).
     */
    java.util.List<io.migrationstudio.core.schema.ConsumerInfo> snapshot(
        Connection connection, String schema, java.util.Set<Long> alsoOwn) throws SQLException;

    /** The server's id of {@code connection}'s session, as the session list knows it. */
    long sessionId(Connection connection) throws SQLException;

    /** {@code ids} as one comma-separated text parameter (empty for none). */
    static String idList(java.util.Set<Long> ids) {
      return ids.stream()
          .sorted()
          .map(String::valueOf)
          .collect(java.util.stream.Collectors.joining(","));
    }
  }

  /**
   * Freezing writes on the tables in scope for a cutover: per-table write guards that refuse every
   * application account's writes (superusers included, short of disabling the guard on purpose),
   * leave every other table and database alone, end no session, and are removed again by {@link
   * #unfreezeWrites}. Tables are named as {@code TableSql#sourceTable} spells them (quoted,
   * qualified).
   */
  interface WriteFreeze {
    /**
     * Installs the guards on every table in one transaction of {@code control}, waiting at most
     * {@code lockTimeout} for transactions that are writing to them (so none is still writing when
     * this returns); a timeout is an error naming the blocking sessions and their queries.
     */
    void freezeWrites(Connection control, List<String> tables, java.time.Duration lockTimeout)
        throws SQLException;

    /**
     * Makes the guards ahead of {@link #freezeWrites}, letting writes through until it arms them
     * (so that the freeze itself is short); returns what was made, or null when the engine cannot
     * here (nothing made: {@link #freezeWrites} makes them). Only called when {@link
     * #preparesAhead}; {@link #unfreezeWrites} removes what it made.
     */
    default String prepare(Connection control, List<String> tables, java.time.Duration lockTimeout)
        throws SQLException {
      return null;
    }

    /** Whether {@link #prepare} makes the guards ahead of the freeze on this engine. */
    default boolean preparesAhead() {
      return false;
    }

    /** Removes the guards; tables without one are left as they are. */
    void unfreezeWrites(Connection control, List<String> tables) throws SQLException;

    /** The tables among {@code tables} that carry no guard now. */
    List<String> unguarded(Connection connection, List<String> tables) throws SQLException;

    /**
     * Tries a write on {@code table} from {@code session} the way an application would, in a
     * transaction that is rolled back: null when it went through, else the refusal (SQLState and
     * message).
     */
    String tryWrite(Connection session, String table) throws SQLException;

    /**
     * Every table of the connection's database that carries the studio's write guard now, named so
     * that {@link #unfreezeWrites} takes the names as they are; for {@code studio release}, which
     * lifts a freeze whatever migration left it.
     */
    default List<String> guardedTables(Connection connection) throws SQLException {
      return List.of();
    }

    /**
     * For {@code studio release}, after {@link #unfreezeWrites}: removes what the guards kept
     * outside the guarded tables once no guard of the server reads it (MariaDB: the stale rows of
     * the connection's database in {@code studio.guard_state}, then that table when empty, then the
     * {@code studio} database when nothing else is in it); returns what was removed, empty when
     * nothing was. Not for the cutover's own unfreeze: it is DDL, and a rollback that re-freezes
     * would make it again.
     */
    default List<String> removeState(Connection control) throws SQLException {
      return List.of();
    }
  }

  /** Whether {@link #copyTextIn} runs on this engine. */
  default boolean takesCopyText() {
    return false;
  }

  /**
   * Runs {@code copySql} ({@code COPY ... FROM STDIN} in the text format) on {@code c} with {@code
   * rows} as its input, when this engine takes a COPY stream; false (nothing run) otherwise.
   */
  default boolean copyTextIn(Connection c, String copySql, java.io.Reader rows)
      throws SQLException {
    return false;
  }

  /** Whether {@link #copyBinaryOut} runs on this engine. */
  default boolean readsCopyBinary() {
    return false;
  }

  /**
   * Runs {@code COPY (query) TO STDOUT (FORMAT binary)} on {@code c} and hands every piece of the
   * stream to {@code sink} as it arrives, as the PostgreSQL copy reads a source; false (nothing
   * run) when this engine has no binary COPY. A stream abandoned by an exception is read to its end
   * (discarded), so the connection stays usable.
   */
  default boolean copyBinaryOut(
      Connection c, String query, java.util.function.Consumer<byte[]> sink) throws SQLException {
    return false;
  }
}
