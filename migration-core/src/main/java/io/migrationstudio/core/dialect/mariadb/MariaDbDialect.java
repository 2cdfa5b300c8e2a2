package io.migrationstudio.core.dialect.mariadb;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.dialect.DataProbe;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.Sessions;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.Inventory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * MySQL and MariaDB (MariaDB Connector/J; tested on MariaDB 11.4) as a source.
 *
 * <p>A MySQL "schema" is a database: the default schema is the database named in the URL ({@link
 * #defaultSchema(String)}); without a URL, {@link #defaultSchema()} is the empty string, which
 * {@link #qualify} leaves out (the connection's current database) and {@link #introspect} resolves
 * to {@code DATABASE()}. {@code jdbc:mysql:} URLs are accepted too: Connector/J only takes them
 * with the {@code permitMysqlScheme} option in the URL, which {@link #driverUrl} adds when absent.
 *
 * <p>Canonical types (the catalogue of decisions; see {@link #canonicalType}): {@code tinyint(1)}
 * and {@code bool} are BOOLEAN; integers widen when UNSIGNED does not fit the signed type of the
 * same size ({@code tinyint} and {@code tinyint unsigned} → SMALLINT, {@code smallint unsigned},
 * {@code mediumint [unsigned]} → INTEGER, {@code int unsigned} → BIGINT, {@code bigint unsigned} →
 * DECIMAL(20,0)); {@code float} is REAL and {@code double} DOUBLE; {@code bit(1)} is BOOLEAN and
 * wider {@code bit(n)} BYTES (the bits big-endian, as the driver returns them); binary strings and
 * blobs are BYTES; {@code datetime} is TIMESTAMP (no time zone) and {@code timestamp} TIMESTAMPTZ
 * (MySQL stores it in UTC); {@code time} is TIME (MySQL allows ±838 hours: values outside a day are
 * a risk for the compatibility review); {@code year} is SMALLINT; {@code json} is JSON (MariaDB
 * spells it {@code longtext} with a {@code json_valid} check, which the catalog recognises); {@code
 * enum} is ENUM; {@code set} is TEXT (the comma-separated members, exactly as MySQL shows them; the
 * type catalogue maps it to a {@code text[]} of the members); {@code uuid} is UUID; {@code
 * inet4}/{@code inet6} are TEXT; spatial types are UNSUPPORTED.
 */
public final class MariaDbDialect implements Dialect {

  /** Vendor codes of connection-level failures (client and server side). */
  private static final Set<Integer> CONNECTION_CODES =
      Set.of(
          1040, 1053, 1077, 1080, 1152, 1153, 1154, 1159, 1161, 1927, 2002, 2003, 2005, 2006, 2013,
          2055);

  private static final Set<String> SPATIAL =
      Set.of(
          "geometry",
          "point",
          "linestring",
          "polygon",
          "multipoint",
          "multilinestring",
          "multipolygon",
          "geometrycollection",
          "geomcollection");

  @Override
  public String name() {
    return "mariadb";
  }

  /**
   * The count scans the table itself ({@code USE INDEX ()}: InnoDB's clustered index), never a
   * secondary index: under writes the optimizer's choice, the smallest secondary index, sends every
   * record on a page changed after the reader's snapshot to a random clustered-index lookup (see
   * {@code MariaDbCatalog#countSql}: 0.2 s became 6-10 s on 1M rows at 200 tps).
   */
  @Override
  public String countRows(String qualifiedTable) {
    return "SELECT count(*) FROM " + qualifiedTable + " USE INDEX ()";
  }

  @Override
  public boolean accepts(String jdbcUrl) {
    return jdbcUrl != null
        && (jdbcUrl.startsWith("jdbc:mariadb:") || jdbcUrl.startsWith("jdbc:mysql:"));
  }

  /**
   * Connector/J reads {@code connectTimeout} in milliseconds, where {@link Dialects#open}'s default
   * of 10 means seconds (pgjdbc): without this a busy server fails to connect after 10 ms.
   *
   * <p>Every session's time zone is pinned to UTC ({@code connectionTimeZone=UTC} with {@code
   * forceConnectionTimeZoneToSession}: the driver runs {@code SET time_zone='+00:00'} at connect,
   * which needs no time-zone tables on the server). A {@code timestamp} column is stored in UTC and
   * shown in the session's zone: in UTC its text is the instant whatever the server's global or
   * configured zone (a named zone with daylight saving would show two instants of the repeated hour
   * as one text), and the driver converts in UTC too, never in the JVM's default zone. {@code
   * datetime}, {@code date} and {@code time} are wall values no zone touches. Chunk bounds of a
   * {@code timestamp} key are read and bound back in the same UTC session.
   */
  @Override
  public java.util.Map<String, String> connectionProperties() {
    return java.util.Map.of(
        "connectTimeout", "10000",
        "connectionTimeZone", "UTC",
        "forceConnectionTimeZoneToSession", "true");
  }

  /**
   * A {@code jdbc:mysql:} URL with {@code permitMysqlScheme} added to its options when absent
   * (Connector/J refuses the scheme without it, and {@code DriverManager} then reports "no suitable
   * driver", as if the driver were missing); every other URL as it is. A URL whose options set the
   * session's time zone ({@code connectionTimeZone}, {@code forceConnectionTimeZoneToSession},
   * {@code timezone}, a {@code time_zone} in {@code sessionVariables}) is refused: Connector/J lets
   * URL options beat {@link #connectionProperties}, and a session outside UTC shifts every {@code
   * timestamp} read.
   */
  @Override
  public String driverUrl(String jdbcUrl) {
    refuseTimeZoneOptions(jdbcUrl);
    if (jdbcUrl == null
        || !jdbcUrl.startsWith("jdbc:mysql:")
        || jdbcUrl.toLowerCase(Locale.ROOT).contains("permitmysqlscheme")) {
      return jdbcUrl;
    }
    return jdbcUrl + (jdbcUrl.indexOf('?') >= 0 ? "&" : "?") + "permitMysqlScheme";
  }

  private static final Set<String> TIME_ZONE_OPTIONS =
      Set.of("connectiontimezone", "forceconnectiontimezonetosession", "timezone");

  static void refuseTimeZoneOptions(String jdbcUrl) {
    int q = jdbcUrl == null ? -1 : jdbcUrl.indexOf('?');
    if (q < 0) {
      return;
    }
    for (String option : jdbcUrl.substring(q + 1).split("&")) {
      int eq = option.indexOf('=');
      String key = (eq < 0 ? option : option.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
      String value = eq < 0 ? "" : option.substring(eq + 1).toLowerCase(Locale.ROOT);
      if (TIME_ZONE_OPTIONS.contains(key)
          || (key.equals("sessionvariables") && value.contains("time_zone"))) {
        throw new MigrationException(
            ErrorCode.INVALID_SPEC,
            "the MySQL/MariaDB URL "
                + MigrationException.redact(jdbcUrl)
                + " sets the session time zone (option "
                + key
                + "); the studio pins every session to UTC so that timestamp columns are read as"
                + " the instants they store: remove the option from the URL");
      }
    }
  }

  /** The connection's current database (see the class comment). */
  @Override
  public String defaultSchema() {
    return "";
  }

  /** The database named in the URL ({@code jdbc:mariadb://host:port/DB?options}), or "". */
  @Override
  public String defaultSchema(String jdbcUrl) {
    return databaseOf(jdbcUrl);
  }

  static String databaseOf(String jdbcUrl) {
    int hosts = jdbcUrl.indexOf("//");
    if (hosts < 0) {
      return "";
    }
    int slash = jdbcUrl.indexOf('/', hosts + 2);
    if (slash < 0) {
      return "";
    }
    int end = slash + 1;
    while (end < jdbcUrl.length() && jdbcUrl.charAt(end) != '?' && jdbcUrl.charAt(end) != ';') {
      end++;
    }
    return java.net.URLDecoder.decode(
        jdbcUrl.substring(slash + 1, end), java.nio.charset.StandardCharsets.UTF_8);
  }

  @Override
  public Optional<java.util.List<String>> enumMembers(String nativeType) {
    return valueList("enum(", nativeType);
  }

  @Override
  public Optional<java.util.List<String>> setMembers(String nativeType) {
    return valueList("set(", nativeType);
  }

  private static Optional<java.util.List<String>> valueList(String head, String nativeType) {
    return nativeType != null && nativeType.toLowerCase(Locale.ROOT).startsWith(head)
        ? Optional.of(members(nativeType))
        : Optional.empty();
  }

  /** The members of {@code enum('a','b''c')} / {@code set(...)} as MySQL spells the type. */
  public static java.util.List<String> members(String type) {
    int open = type.indexOf('(');
    java.util.List<String> out = new java.util.ArrayList<>();
    StringBuilder cur = null;
    for (int i = open + 1; i < type.length(); i++) {
      char ch = type.charAt(i);
      if (cur == null) {
        if (ch == '\'') {
          cur = new StringBuilder();
        } else if (ch == ')') {
          break;
        }
      } else if (ch == '\'') {
        if (i + 1 < type.length() && type.charAt(i + 1) == '\'') {
          cur.append('\'');
          i++;
        } else {
          out.add(cur.toString());
          cur = null;
        }
      } else if (ch == '\\' && i + 1 < type.length()) {
        cur.append(type.charAt(++i));
      } else {
        cur.append(ch);
      }
    }
    return out;
  }

  /** Backtick quoting, backticks doubled; NUL cannot be part of a MySQL identifier. */
  @Override
  public String quote(String identifier) {
    if (identifier.indexOf('\0') >= 0) {
      throw new MigrationException(
          ErrorCode.UNSUPPORTED_TYPE, "identifier contains a NUL character: cannot quote it");
    }
    return '`' + identifier.replace("`", "``") + '`';
  }

  /**
   * Vendor codes first, then SQLState: 1045 (access denied), 1044 (no access to the database), 1142
   * /1143 (command denied) and SQLState 28 are AUTHENTICATION_FAILED; 1049 (unknown database), 1146
   * (no such table), 1054 (unknown column), 1305 (no such routine) and SQLState 42S02/3D are
   * MISSING_OBJECT; connection failures (SQLState 08, the client codes 2002/2003/2006/2013 and
   * server shutdown/too many connections codes), deadlock 1213, lock wait timeout 1205, SQLState 40
   * and interrupted queries (1317, 70100) are TRANSIENT_SQL; everything else PERMANENT_SQL.
   */
  @Override
  public MigrationException classify(SQLException e, String what) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    int vendor = e.getErrorCode();
    if (vendor == 1045
        || vendor == 1044
        || vendor == 1142
        || vendor == 1143
        || state.startsWith("28")) {
      return Dialect.sqlFailure(
          ErrorCode.AUTHENTICATION_FAILED,
          e,
          what,
          "check the user, its grants and the password reference in the spec");
    } else if (vendor == 1049 || state.startsWith("3D")) {
      return Dialect.sqlFailure(
          ErrorCode.MISSING_OBJECT, e, what, "create the database or fix its name in the URL");
    } else if (vendor == 1146
        || vendor == 1054
        || vendor == 1305
        || state.equals("42S02")
        || state.equals("42S22")) {
      return Dialect.sqlFailure(
          ErrorCode.MISSING_OBJECT,
          e,
          what,
          "check that the object exists and the user may use it");
    } else if (state.startsWith("08")
        || CONNECTION_CODES.contains(vendor)
        || vendor == 1213
        || vendor == 1205
        || vendor == 1317
        || state.startsWith("40")
        || state.equals("70100")) {
      return Dialect.sqlFailure(
          ErrorCode.TRANSIENT_SQL,
          e,
          what,
          "a transient failure (connection lost or refused, server restart, deadlock, lock wait"
              + " timeout or interrupted query); it works again once that passes");
    } else {
      return Dialect.sqlFailure(
          ErrorCode.PERMANENT_SQL, e, what, "fix the data or the mapping and re-run");
    }
  }

  /**
   * The canonical type of a MySQL/MariaDB type as {@code information_schema.COLUMNS.COLUMN_TYPE}
   * spells it ({@code int(10) unsigned}, {@code tinyint(1)}, {@code enum('a','b')}) or as the
   * driver names result columns ({@code INTEGER UNSIGNED}); see the class comment for the choices.
   */
  @Override
  public CanonicalType canonicalType(String nativeType) {
    String t = typeOnly(nativeType.toLowerCase(Locale.ROOT).trim());
    int paren = t.indexOf('(');
    String base = (paren < 0 ? t : t.substring(0, paren)).trim();
    String args = paren < 0 ? "" : t.substring(paren + 1, Math.max(paren + 1, t.lastIndexOf(')')));
    String modifiers = paren < 0 ? "" : t.substring(t.lastIndexOf(')') + 1);
    boolean unsigned = base.endsWith(" unsigned") || modifiers.contains("unsigned");
    base = base.replace(" zerofill", "").replace(" unsigned", "").replace(" signed", "").trim();
    if (SPATIAL.contains(base)) {
      return CanonicalType.UNSUPPORTED;
    }
    return switch (base) {
      case "bool", "boolean" -> CanonicalType.BOOLEAN;
      case "tinyint", "int1" -> args.equals("1") ? CanonicalType.BOOLEAN : CanonicalType.SMALLINT;
      case "smallint", "int2" -> unsigned ? CanonicalType.INTEGER : CanonicalType.SMALLINT;
      case "mediumint", "int3", "middleint" -> CanonicalType.INTEGER;
      case "int", "integer", "int4" -> unsigned ? CanonicalType.BIGINT : CanonicalType.INTEGER;
      case "bigint", "int8" -> unsigned ? CanonicalType.DECIMAL : CanonicalType.BIGINT;
      case "serial" -> CanonicalType.DECIMAL; // bigint unsigned
      case "decimal", "numeric", "dec", "fixed" -> CanonicalType.DECIMAL;
      case "float", "float4" ->
          floatPrecision(args) > 24 ? CanonicalType.DOUBLE : CanonicalType.REAL;
      case "double", "double precision", "real", "float8" -> CanonicalType.DOUBLE;
      case "bit" ->
          args.isEmpty() || args.equals("1") ? CanonicalType.BOOLEAN : CanonicalType.BYTES;
      case "char", "character", "nchar", "national char", "national character" ->
          CanonicalType.CHAR;
      case "varchar",
          "character varying",
          "nvarchar",
          "national varchar",
          "national character varying",
          "varchar2" ->
          CanonicalType.VARCHAR;
      case "tinytext", "text", "mediumtext", "longtext", "long", "long varchar", "inet4", "inet6" ->
          CanonicalType.TEXT;
      case "binary",
          "varbinary",
          "tinyblob",
          "blob",
          "mediumblob",
          "longblob",
          "long varbinary",
          "char byte" ->
          CanonicalType.BYTES;
      case "date" -> CanonicalType.DATE;
      case "time" -> CanonicalType.TIME;
      case "datetime" -> CanonicalType.TIMESTAMP;
      case "timestamp" -> CanonicalType.TIMESTAMPTZ;
      case "year" -> CanonicalType.SMALLINT;
      case "json" -> CanonicalType.JSON;
      case "enum" -> CanonicalType.ENUM;
      case "set" -> CanonicalType.TEXT;
      case "uuid" -> CanonicalType.UUID;
      default -> CanonicalType.UNSUPPORTED;
    };
  }

  /**
   * The type part of a column definition: cuts {@code character set}, {@code collate} and {@code
   * generated always as} suffixes (outside quoted enum/set members).
   */
  private static String typeOnly(String t) {
    return io.migrationstudio.core.schema.TypeSpelling.typeOnly(t);
  }

  /** {@code float(p)}: p ≤ 24 is single precision; {@code float(m,d)} is single precision. */
  private static int floatPrecision(String args) {
    if (args.isEmpty() || args.contains(",")) {
      return 0;
    }
    try {
      return Integer.parseInt(args.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  @Override
  public Inventory introspect(Connection connection, String schema, Predicate<String> tableFilter)
      throws SQLException {
    String database = schema == null || schema.isEmpty() ? currentDatabase(connection) : schema;
    return new MariaDbCatalog(this).read(connection, database, tableFilter);
  }

  /**
   * Connector/J streams a result when the fetch size is positive: it reads {@code fetchSize} rows
   * from the socket at a time instead of the whole result (MySQL Connector/J's {@code
   * useCursorFetch} is not needed and {@code Integer.MIN_VALUE} is not required). While a streamed
   * result is open, another statement on the same connection first buffers the rest of it, so
   * callers read one streamed result per connection at a time.
   */
  @Override
  public PreparedStatement streamingQuery(Connection connection, String sql, int fetchSize)
      throws SQLException {
    if (fetchSize <= 0) {
      throw new IllegalArgumentException("fetch size must be positive, got " + fetchSize);
    }
    PreparedStatement ps =
        connection.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
    ps.setFetchSize(fetchSize);
    return ps;
  }

  /** InnoDB skips {@code OFFSET} rows inside the primary key's index scan, on the server. */
  @Override
  public boolean walksKeyIndexForChunks() {
    return true;
  }

  @Override
  public String serverVersion(Connection connection) throws SQLException {
    return Dialect.queryString(connection, "SELECT VERSION()");
  }

  /** Client sessions on the database ({@link MariaDbSessionList}). */
  @Override
  public Optional<SessionList> sessionList() {
    return Optional.of(new MariaDbSessionList());
  }

  /**
   * MariaDB/MySQL data probe: NUL bytes, zero dates (read under a relaxed sql_mode), values above a
   * limit, case-insensitive duplicates, non-empty tables.
   */
  @Override
  public void makeSessionReadOnly(Connection connection) throws SQLException {
    Sessions.execute(connection, "SET SESSION TRANSACTION READ ONLY");
  }

  @Override
  public void beginReadOnlyTransaction(Connection connection) throws SQLException {
    Sessions.beginTransaction(connection, "START TRANSACTION READ ONLY");
  }

  /**
   * The tables' {@code AUTO_INCREMENT} counters from one {@code information_schema.TABLES} query,
   * for the columns that are their tables' auto-increment column ({@code schema} blank: {@code
   * DATABASE()}). MariaDB reads the counter from the table each time; MySQL 8 serves cached
   * statistics (up to {@code information_schema_stats_expiry}, 24 h by default), so the session's
   * expiry is set to 0 first, once (MariaDB has no such variable: {@link MariaDbVariables}).
   */
  @Override
  public Map<KeyColumn, Long> nextKeys(
      Connection connection, String schema, Collection<KeyColumn> columns) throws SQLException {
    if (columns.isEmpty()) {
      return Map.of();
    }
    MariaDbVariables.setSession(connection, "information_schema_stats_expiry", "0");
    List<String> tables = columns.stream().map(KeyColumn::table).distinct().toList();
    // table -> column (lower case: the server compares column names without case) -> counter
    Map<String, Map<String, Long>> counters = new HashMap<>();
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT t.TABLE_NAME, c.COLUMN_NAME, t.AUTO_INCREMENT FROM information_schema.TABLES t"
                + " JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = t.TABLE_SCHEMA"
                + " AND c.TABLE_NAME = t.TABLE_NAME"
                + " WHERE t.TABLE_SCHEMA = COALESCE(NULLIF(?, ''), DATABASE())"
                + " AND t.TABLE_NAME IN ("
                + String.join(", ", java.util.Collections.nCopies(tables.size(), "?"))
                + ") AND c.EXTRA LIKE '%auto_increment%'")) {
      ps.setString(1, schema);
      for (int i = 0; i < tables.size(); i++) {
        ps.setString(i + 2, tables.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long next = rs.getLong(3);
          if (!rs.wasNull()) {
            counters
                .computeIfAbsent(rs.getString(1), k -> new HashMap<>())
                .put(rs.getString(2).toLowerCase(Locale.ROOT), next);
          }
        }
      }
    }
    Map<KeyColumn, Long> out = new HashMap<>();
    for (KeyColumn c : columns) {
      Long next = tableCounters(counters, c.table()).get(c.column().toLowerCase(Locale.ROOT));
      if (next != null) {
        out.put(c, next);
      }
    }
    return out;
  }

  /**
   * {@code table}'s counters: by its exact name, else by the name the server matched it to (a
   * server that folds table names' case, {@code lower_case_table_names} 1 or 2).
   */
  private static Map<String, Long> tableCounters(
      Map<String, Map<String, Long>> counters, String table) {
    Map<String, Long> exact = counters.get(table);
    if (exact != null) {
      return exact;
    }
    return counters.entrySet().stream()
        .filter(e -> e.getKey().equalsIgnoreCase(table))
        .map(Map.Entry::getValue)
        .findFirst()
        .orElse(Map.of());
  }

  /**
   * A MariaDB SEQUENCE is a one-row table: {@code next_not_cached_value} is the next value no
   * session has been handed (values cached by live sessions are skipped, never reused). An
   * exhausted sequence without CYCLE stays exhausted: its bound, already called. Needs SELECT on
   * the sequence.
   */
  @Override
  public Optional<SequenceState> sequenceState(Connection connection, String schema, String name)
      throws SQLException {
    String seq = qualify(schema, name);
    String sql =
        "SELECT next_not_cached_value, minimum_value, maximum_value, increment, cycle_option FROM "
            + seq;
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      long next = rs.getLong(1);
      long min = rs.getLong(2);
      long max = rs.getLong(3);
      boolean descending = rs.getLong(4) < 0;
      if (!descending && next > max) {
        return Optional.of(new SequenceState(rs.getLong(5) != 0 ? min : max, rs.getLong(5) == 0));
      }
      if (descending && next < min) {
        return Optional.of(new SequenceState(rs.getLong(5) != 0 ? max : min, rs.getLong(5) == 0));
      }
      return Optional.of(new SequenceState(next, false));
    } catch (SQLException e) {
      if (e.getErrorCode() == 1142 || e.getErrorCode() == 1143) {
        throw new MigrationException(
            ErrorCode.MISSING_OBJECT,
            "reading the current value of source sequence "
                + seq
                + " failed: the source user may not read it (vendor code "
                + e.getErrorCode()
                + "); grant it with GRANT SELECT ON "
                + seq
                + " TO <source user> and re-run the Migrate stage",
            e);
      }
      throw e;
    }
  }

  @Override
  public Optional<DataProbe> dataProbe(Connection connection, String schema) {
    return Optional.of(new MariaDbDataProbe(this, connection, schema));
  }

  /**
   * {@code UNIX_TIMESTAMP} of a {@code timestamp} column returns the stored UTC value itself, in no
   * session zone; a {@code datetime} or {@code date} is its wall-time distance from 1970-01-01
   * 00:00 ({@code TIMESTAMPDIFF}, no zone involved); a {@code time} is {@code TIME_TO_SEC}, exact
   * to the microsecond and signed over its ±838 hours.
   */
  @Override
  public Optional<String> temporalMicros(String quotedColumn, CanonicalType type) {
    return switch (type) {
      case TIMESTAMPTZ ->
          Optional.of("CAST(UNIX_TIMESTAMP(" + quotedColumn + ") * 1000000 AS DECIMAL(30,0))");
      case TIMESTAMP, DATE ->
          Optional.of(
              "TIMESTAMPDIFF(MICROSECOND, TIMESTAMP'1970-01-01 00:00:00', " + quotedColumn + ")");
      case TIME ->
          Optional.of("CAST(TIME_TO_SEC(" + quotedColumn + ") * 1000000 AS DECIMAL(30,0))");
      default -> Optional.empty();
    };
  }

  /**
   * The server's own text of a {@code datetime}, {@code timestamp} or {@code time} ({@code CAST(col
   * AS CHAR)}: the value as stored, a {@code timestamp} in the session zone the dialect pins to
   * UTC, zero dates and times outside a day included). Connector/J 3.5's {@code getString} of a
   * {@code datetime(n)} or {@code timestamp(n)} with {@code n < 6} drops the fraction's leading
   * zeros ({@code 00:00:00.001} in a {@code datetime(3)} reads {@code 00:00:00.1000}, 0.1 s).
   */
  @Override
  public Optional<String> exactTemporalText(String quotedColumn, CanonicalType type) {
    return switch (type) {
      case TIMESTAMPTZ, TIMESTAMP, TIME -> Optional.of("CAST(" + quotedColumn + " AS CHAR)");
      default -> Optional.empty();
    };
  }

  /**
   * Change capture from the row-based binlog ({@link
   * io.migrationstudio.core.dialect.mariadb.binlog.MariaDbChangeCapture}).
   */
  @Override
  public Optional<io.migrationstudio.core.cdc.ChangeCapture> changeCapture() {
    return Optional.of(new io.migrationstudio.core.dialect.mariadb.binlog.MariaDbChangeCapture());
  }

  @Override
  public Optional<WriteFreeze> writeFreeze() {
    return Optional.of(new MariaDbWriteFreeze());
  }

  static String currentDatabase(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT DATABASE()")) {
      rs.next();
      String db = rs.getString(1);
      if (db == null) {
        throw new MigrationException(
            ErrorCode.INVALID_SPEC,
            "the MySQL/MariaDB connection has no current database: name it in the URL"
                + " (jdbc:mariadb://host:port/DATABASE) or set the spec's schema");
      }
      return db;
    }
  }

  @Override
  public boolean partitionsInInformationSchema() {
    return true;
  }
}
