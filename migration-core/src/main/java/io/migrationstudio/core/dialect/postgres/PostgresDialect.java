package io.migrationstudio.core.dialect.postgres;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.dialect.DataProbe;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.IdentifierRules;
import io.migrationstudio.core.dialect.Sessions;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.Inventory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** PostgreSQL (9.6+; tested on 17): source and target. */
public final class PostgresDialect implements Dialect {

  @Override
  public String name() {
    return "postgresql";
  }

  @Override
  public boolean canBeTarget() {
    return true;
  }

  @Override
  public boolean accepts(String jdbcUrl) {
    return jdbcUrl != null && jdbcUrl.startsWith("jdbc:postgresql:");
  }

  @Override
  public String defaultSchema() {
    return "public";
  }

  @Override
  public String only(String qualifiedTable) {
    return "ONLY " + qualifiedTable;
  }

  @Override
  public String quote(String identifier) {
    return Dialect.quoteDoubled(identifier);
  }

  /**
   * Server states that end or refuse a session while the database itself stays: 57P01 admin
   * shutdown, 57P02 crash shutdown, 57P03 cannot connect now (starting up or shutting down), 57P05
   * idle session timeout. (57P04, database dropped, is not among them.)
   */
  private static final Set<String> CONNECTION_LOST = Set.of("57P01", "57P02", "57P03", "57P05");

  /**
   * SQLState classes: 28 (auth) permanent; 08 (connection) and the lost sessions of 57P ({@link
   * #CONNECTION_LOST}), 40 (rollback), 53 (resources) transient; 57P04 (database dropped), 3D (no
   * database), 42 (syntax, undefined object) missing object; everything else permanent.
   */
  @Override
  public MigrationException classify(SQLException e, String what) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    if (state.startsWith("28")) {
      return Dialect.sqlFailure(
          ErrorCode.AUTHENTICATION_FAILED,
          e,
          what,
          "check the user and the password reference in the spec");
    } else if (state.startsWith("08") || CONNECTION_LOST.contains(state)) {
      return Dialect.sqlFailure(
          ErrorCode.TRANSIENT_SQL,
          e,
          what,
          "the connection was lost or refused (server restart, shutdown, failover or network);"
              + " it works again once the server is back");
    } else if (state.startsWith("40") || state.startsWith("53")) {
      return Dialect.sqlFailure(
          ErrorCode.TRANSIENT_SQL,
          e,
          what,
          "a transient conflict or shortage on the server (deadlock, serialization, resources);"
              + " it works again once that passes");
    } else if (state.equals("57P04")) {
      return Dialect.sqlFailure(
          ErrorCode.MISSING_OBJECT,
          e,
          what,
          "the database was dropped while in use; recreate it or fix the URL");
    } else if (state.startsWith("3D")) {
      return Dialect.sqlFailure(
          ErrorCode.MISSING_OBJECT, e, what, "create the database or fix its name in the URL");
    } else if (state.startsWith("42")) {
      return Dialect.sqlFailure(
          ErrorCode.MISSING_OBJECT,
          e,
          what,
          "check that the object exists and the user may use it");
    } else {
      return Dialect.sqlFailure(
          ErrorCode.PERMANENT_SQL, e, what, "fix the data or the mapping and re-run");
    }
  }

  @Override
  public void makeSessionReadOnly(Connection connection) throws SQLException {
    connection.setReadOnly(true);
    Sessions.execute(connection, "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
  }

  /** {@code SET TRANSACTION READ ONLY} as the first statement of a new transaction. */
  @Override
  public void beginReadOnlyTransaction(Connection connection) throws SQLException {
    Sessions.beginTransaction(connection, "SET TRANSACTION READ ONLY");
  }

  /**
   * {@code last_value, is_called} of the sequence relation itself, which needs SELECT on the
   * sequence ({@code pg_sequences} shows NULL to a user without it, indistinguishable from a
   * sequence never called).
   */
  @Override
  public Optional<SequenceState> sequenceState(Connection connection, String schema, String name)
      throws SQLException {
    return Optional.of(sequenceState(connection, qualify(schema, name)));
  }

  /** The owned sequences' next values, in two statements ({@link PostgresKeyCounters}). */
  @Override
  public java.util.Map<KeyColumn, Long> nextKeys(
      Connection connection, String schema, java.util.Collection<KeyColumn> columns)
      throws SQLException {
    return PostgresKeyCounters.read(connection, schema, columns);
  }

  private static SequenceState sequenceState(Connection connection, String seq)
      throws SQLException {
    try (java.sql.Statement st = connection.createStatement();
        java.sql.ResultSet rs = st.executeQuery("SELECT last_value, is_called FROM " + seq)) {
      rs.next();
      return new SequenceState(rs.getLong(1), rs.getBoolean(2));
    } catch (SQLException e) {
      if ("42501".equals(e.getSQLState())) {
        throw new MigrationException(
            ErrorCode.MISSING_OBJECT,
            "reading the current value of source sequence "
                + seq
                + " failed: the source user may not read it (SQLState 42501); grant it with"
                + " GRANT SELECT ON SEQUENCE "
                + seq
                + " TO <source user> and re-run the Migrate stage",
            e);
      }
      throw e;
    }
  }

  @Override
  public CanonicalType canonicalType(String nativeType) {
    String t = nativeType.toLowerCase(Locale.ROOT).trim();
    if (t.endsWith("[]")) {
      return CanonicalType.ARRAY;
    }
    int paren = t.indexOf('(');
    String base = paren < 0 ? t : (t.substring(0, paren) + t.substring(t.indexOf(')') + 1)).trim();
    return switch (base) {
      case "boolean", "bool" -> CanonicalType.BOOLEAN;
      case "smallint", "int2", "smallserial" -> CanonicalType.SMALLINT;
      case "integer", "int", "int4", "serial" -> CanonicalType.INTEGER;
      case "bigint", "int8", "bigserial" -> CanonicalType.BIGINT;
      case "numeric", "decimal" -> CanonicalType.DECIMAL;
      case "real", "float4" -> CanonicalType.REAL;
      case "double precision", "float8" -> CanonicalType.DOUBLE;
      case "character", "char", "bpchar" -> CanonicalType.CHAR;
      case "character varying", "varchar" -> CanonicalType.VARCHAR;
      case "text", "citext", "name" -> CanonicalType.TEXT;
      case "date" -> CanonicalType.DATE;
      case "time without time zone", "time" -> CanonicalType.TIME;
      case "timestamp without time zone", "timestamp" -> CanonicalType.TIMESTAMP;
      case "timestamp with time zone", "timestamptz" -> CanonicalType.TIMESTAMPTZ;
      case "interval" -> CanonicalType.INTERVAL;
      case "bytea" -> CanonicalType.BYTES;
      case "uuid" -> CanonicalType.UUID;
      case "json", "jsonb" -> CanonicalType.JSON;
      case "xml" -> CanonicalType.XML;
      default -> CanonicalType.UNSUPPORTED;
    };
  }

  /** Read by {@link PostgresSchemaScript} (the server's own definitions, dependency order). */
  @Override
  public Optional<io.migrationstudio.core.schema.SchemaScript> schemaScript(
      Connection connection, String schema, Predicate<String> tableFilter) throws SQLException {
    return schemaScript(connection, schema, tableFilter, false);
  }

  @Override
  public Optional<io.migrationstudio.core.schema.SchemaScript> schemaScript(
      Connection connection, String schema, Predicate<String> tableFilter, boolean privileges)
      throws SQLException {
    return Optional.of(PostgresSchemaScript.read(connection, schema, tableFilter, privileges));
  }

  @Override
  public Inventory introspect(Connection connection, String schema, Predicate<String> tableFilter)
      throws SQLException {
    return new PostgresCatalog(this).read(connection, schema, tableFilter);
  }

  /**
   * {@code pg_class.reltuples} (kept by VACUUM/ANALYZE); for a partitioned table the sum over the
   * leaf partitions of its partition tree (the parent itself stores no rows, and autovacuum never
   * analyses it); empty before the first analysis.
   */
  @Override
  public java.util.Optional<Long> estimatedRows(Connection connection, String qualifiedTable)
      throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT (CASE WHEN c.relkind = 'p' THEN"
                + " (SELECT sum(l.reltuples) FILTER (WHERE l.reltuples > 0)"
                + " FROM pg_partition_tree(c.oid) pt JOIN pg_class l ON l.oid = pt.relid"
                + " WHERE pt.isleaf) ELSE c.reltuples END)::bigint"
                + " FROM pg_class c WHERE c.oid = to_regclass(?)")) {
      ps.setString(1, qualifiedTable);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next() || rs.getLong(1) <= 0) {
          return java.util.Optional.empty();
        }
        return java.util.Optional.of(rs.getLong(1));
      }
    }
  }

  /**
   * {@code TABLESAMPLE SYSTEM (percent) REPEATABLE (seed)}: whole random pages, so the sample reads
   * only those pages; with the fixed seed the same table contents give the same sample.
   */
  @Override
  public java.util.Optional<List<String>> sampleKeys(
      Connection connection, String qualifiedTable, String keyExpression, double percent)
      throws SQLException {
    if (!(percent > 0 && percent <= 100)) {
      throw new IllegalArgumentException("sample percent must be in (0, 100], was " + percent);
    }
    String sql =
        "SELECT k FROM (SELECT "
            + keyExpression
            + " AS k FROM "
            + qualifiedTable
            + " TABLESAMPLE SYSTEM ("
            + String.format(java.util.Locale.ROOT, "%.6f", percent)
            + ") REPEATABLE ("
            + KEY_SAMPLE_SEED
            + ")) s WHERE k IS NOT NULL ORDER BY k";
    List<String> keys = new java.util.ArrayList<>();
    boolean autoCommit = connection.getAutoCommit();
    try (PreparedStatement ps = streamingQuery(connection, sql, 10_000);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        keys.add(rs.getString(1));
      }
    } finally {
      if (autoCommit && !connection.getAutoCommit()) {
        connection.rollback(); // only the read transaction streamingQuery opened
        connection.setAutoCommit(true);
      }
    }
    return java.util.Optional.of(keys);
  }

  /** The seed of chunk-key samples: fixed, so a plan can be re-drawn. */
  static final int KEY_SAMPLE_SEED = 20261122;

  @Override
  public PreparedStatement streamingQuery(Connection connection, String sql, int fetchSize)
      throws SQLException {
    if (connection.getAutoCommit()) {
      // pgjdbc only uses a cursor (bounded memory) inside a transaction
      connection.setAutoCommit(false);
    }
    PreparedStatement ps =
        connection.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
    ps.setFetchSize(fetchSize);
    return ps;
  }

  /**
   * PostgreSQL keeps names up to NAMEDATALEN - 1 = 63 bytes (longer ones are truncated, so two long
   * names can collide); its reserved key words and those reserved as table/column names (catcode R
   * and T of {@code pg_get_keywords()}) fail unquoted; unquoted names fold to lower case, so only
   * lower-case letters, digits, {@code _} and {@code $} survive unquoted.
   */
  static final IdentifierRules IDENTIFIER_RULES =
      new IdentifierRules(
          63,
          Set.of(
              "all",
              "analyse",
              "analyze",
              "and",
              "any",
              "array",
              "as",
              "asc",
              "asymmetric",
              "authorization",
              "binary",
              "both",
              "case",
              "cast",
              "check",
              "collate",
              "collation",
              "column",
              "concurrently",
              "constraint",
              "create",
              "cross",
              "current_catalog",
              "current_date",
              "current_role",
              "current_schema",
              "current_time",
              "current_timestamp",
              "current_user",
              "default",
              "deferrable",
              "desc",
              "distinct",
              "do",
              "else",
              "end",
              "except",
              "false",
              "fetch",
              "for",
              "foreign",
              "freeze",
              "from",
              "full",
              "grant",
              "group",
              "having",
              "ilike",
              "in",
              "initially",
              "inner",
              "intersect",
              "into",
              "is",
              "isnull",
              "join",
              "lateral",
              "leading",
              "left",
              "like",
              "limit",
              "localtime",
              "localtimestamp",
              "natural",
              "not",
              "notnull",
              "null",
              "offset",
              "on",
              "only",
              "or",
              "order",
              "outer",
              "overlaps",
              "placing",
              "primary",
              "references",
              "returning",
              "right",
              "select",
              "session_user",
              "similar",
              "some",
              "symmetric",
              "system_user",
              "table",
              "tablesample",
              "then",
              "to",
              "trailing",
              "true",
              "union",
              "unique",
              "user",
              "using",
              "variadic",
              "verbose",
              "when",
              "where",
              "window",
              "with"),
          Pattern.compile("[a-z_][a-z0-9_$]*"));

  @Override
  public Optional<IdentifierRules> identifierRules() {
    return Optional.of(IDENTIFIER_RULES);
  }

  @Override
  public Optional<DataProbe> dataProbe(Connection connection, String schema) {
    return Optional.of(new PostgresDataProbe(this, connection, schema));
  }

  /**
   * {@code hashtextextended} (PostgreSQL 11+) of the row's text form; {@code sum} of bigint is
   * exact (numeric result).
   */
  @Override
  public Optional<String> rowHashSum(java.util.List<String> quotedColumns) {
    return Optional.of(
        "count(*), coalesce(sum(hashtextextended(CAST(ROW("
            + String.join(", ", quotedColumns)
            + ") AS text), 0)), 0)");
  }

  /** Logical decoding with {@code pgoutput}: see {@link PostgresChangeCapture}. */
  @Override
  public Optional<io.migrationstudio.core.cdc.ChangeCapture> changeCapture() {
    return Optional.of(new PostgresChangeCapture());
  }

  @Override
  public Optional<WriteFreeze> writeFreeze() {
    return Optional.of(new PostgresWriteGuard(this));
  }

  /** {@code extract(epoch ...)}: exact numeric since PostgreSQL 14, for every temporal type. */
  @Override
  public Optional<String> temporalMicros(String quotedColumn, CanonicalType type) {
    return switch (type) {
      case TIMESTAMPTZ, TIMESTAMP, DATE, TIME, INTERVAL ->
          Optional.of("CAST(extract(epoch FROM " + quotedColumn + ") * 1000000 AS numeric(30,0))");
      default -> Optional.empty();
    };
  }

  /** Client sessions of the current database ({@link PostgresSessionList}). */
  @Override
  public Optional<SessionList> sessionList() {
    return Optional.of(new PostgresSessionList());
  }

  @Override
  public boolean speaksPostgres() {
    return true;
  }

  @Override
  public boolean takesCopyText() {
    return true;
  }

  @Override
  public boolean copyTextIn(Connection c, String copySql, java.io.Reader rows) throws SQLException {
    try {
      c.unwrap(org.postgresql.PGConnection.class).getCopyAPI().copyIn(copySql, rows);
      return true;
    } catch (java.io.IOException e) {
      throw new SQLException("streaming COPY input: " + e.getMessage(), e);
    }
  }

  @Override
  public boolean readsCopyBinary() {
    return true;
  }

  @Override
  public boolean copyBinaryOut(Connection c, String query, java.util.function.Consumer<byte[]> sink)
      throws SQLException {
    org.postgresql.copy.CopyOut out =
        c.unwrap(org.postgresql.PGConnection.class)
            .getCopyAPI()
            .copyOut("COPY (" + query + ") TO STDOUT (FORMAT binary)");
    try {
      byte[] data;
      while ((data = out.readFromCopy()) != null) {
        sink.accept(data);
      }
      return true;
    } finally {
      // abandoned (the sink threw): as the binary pipe does, read it out instead of cancelling,
      // since a cancelled COPY OUT races with its end and can leave the connection out of step
      try {
        while (out.isActive() && out.readFromCopy() != null) {
          // discard
        }
      } catch (SQLException e) {
        // the connection is broken: the exception already on its way says what failed
      }
    }
  }
}
