package io.migrationstudio.core.dialect.mariadb;

import io.migrationstudio.core.dialect.Dialect.WriteFreeze;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The cutover's freeze on MariaDB/MySQL: three {@code BEFORE INSERT/UPDATE/DELETE ... FOR EACH ROW}
 * triggers on each table in scope that {@code SIGNAL SQLSTATE '25006'}. Unlike {@code SET GLOBAL
 * read_only} (the whole server, and accounts with READ ONLY ADMIN or SUPER — the very account that
 * can set it — exempt), a trigger binds every account and only these tables: other databases on the
 * server keep taking writes, and no session is ended. {@code TRUNCATE} fires no trigger; it needs
 * the DROP privilege, which application accounts should not hold.
 *
 * <p>{@code CREATE TRIGGER} waits (up to {@code lock_wait_timeout}) for the metadata lock every
 * open transaction that touched the table holds, so once the guards exist no transaction is still
 * writing to a table in scope. A timeout removes the guards already made and names the open
 * transactions. Needs the TRIGGER privilege on the tables.
 *
 * <p>The one session the guards let through is the studio's reverse applier, marked by its session
 * {@code server_id} ({@link MariaDbApplierSession}), which only an account with BINLOG REPLAY or
 * SUPER can set.
 */
final class MariaDbWriteFreeze implements WriteFreeze {
  static final String PREFIX = "studio_guard_";

  private static final String[] EVENTS = {"INSERT", "UPDATE", "DELETE"};

  @Override
  public void freezeWrites(Connection c, List<String> tables, Duration lockTimeout)
      throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(
          "SET SESSION lock_wait_timeout = " + Math.max(1, (lockTimeout.toMillis() + 999) / 1000));
      List<String> done = new ArrayList<>();
      try {
        List<Name> names = new ArrayList<>();
        for (String t : tables) {
          names.add(resolve(c, t));
        }
        // every statement here runs inside the cutover's window: only guards that exist (an
        // earlier attempt's) are dropped, found with one query instead of a DROP per trigger
        Set<String> existing = guards(c, names);
        for (int i = 0; i < tables.size(); i++) {
          String t = tables.get(i);
          Name n = names.get(i);
          for (String event : EVENTS) {
            if (existing.contains(n.schema() + "." + triggerName(n, event))) {
              s.execute("DROP TRIGGER IF EXISTS " + trigger(n, event));
            }
            s.execute(
                "CREATE TRIGGER "
                    + trigger(n, event)
                    + " BEFORE "
                    + event
                    + " ON "
                    + t
                    + " FOR EACH ROW IF @@session.server_id <> "
                    + MariaDbApplierSession.SERVER_ID
                    + " THEN SIGNAL SQLSTATE '25006' SET MESSAGE_TEXT = '"
                    + message(n)
                    + "'; END IF");
          }
          done.add(t);
        }
      } catch (SQLException e) {
        String open = openTransactions(c);
        unfreezeWrites(c, tables);
        if (e.getErrorCode() == 1205) { // ER_LOCK_WAIT_TIMEOUT
          throw new SQLException(
              "the freeze waited "
                  + lockTimeout.toMillis()
                  + " ms for transactions using the tables in scope and gave up; open transactions: "
                  + open
                  + ". Let them finish (or end them) and run the cutover again",
              e.getSQLState(),
              e.getErrorCode(),
              e);
        }
        throw e;
      }
    }
  }

  @Override
  public void unfreezeWrites(Connection c, List<String> tables) throws SQLException {
    try (Statement s = c.createStatement()) {
      for (String t : tables) {
        Name n = resolve(c, t);
        for (String event : EVENTS) {
          s.execute("DROP TRIGGER IF EXISTS " + trigger(n, event));
        }
      }
    }
  }

  /**
   * A table is guarded when the three guards of its name are on it. One query for all tables (this
   * check runs inside the cutover's window): the studio's guards of the tables' schemas, each with
   * the table it is on.
   */
  @Override
  public List<String> unguarded(Connection c, List<String> tables) throws SQLException {
    List<Name> names = new ArrayList<>();
    for (String t : tables) {
      names.add(resolve(c, t));
    }
    Set<String> on = new HashSet<>();
    for (String[] g : guardRows(c, names)) {
      on.add(g[0] + "." + g[1] + "/" + g[2]);
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < tables.size(); i++) {
      Name n = names.get(i);
      for (String event : EVENTS) {
        if (!on.contains(n.schema() + "." + triggerName(n, event) + "/" + n.table())) {
          out.add(tables.get(i));
          break;
        }
      }
    }
    return out;
  }

  /** {@code schema.trigger} of every studio guard in the schemas of {@code names}. */
  private static Set<String> guards(Connection c, List<Name> names) throws SQLException {
    Set<String> out = new HashSet<>();
    for (String[] g : guardRows(c, names)) {
      out.add(g[0] + "." + g[1]);
    }
    return out;
  }

  /** {schema, trigger, table} of every studio guard in the schemas of {@code names}. */
  private static List<String[]> guardRows(Connection c, List<Name> names) throws SQLException {
    List<String> schemas = names.stream().map(Name::schema).distinct().toList();
    List<String[]> out = new ArrayList<>();
    if (schemas.isEmpty()) {
      return out;
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT TRIGGER_SCHEMA, CAST(TRIGGER_NAME AS BINARY),"
                + " CAST(EVENT_OBJECT_TABLE AS BINARY) FROM information_schema.TRIGGERS"
                + " WHERE TRIGGER_SCHEMA IN ("
                + String.join(", ", java.util.Collections.nCopies(schemas.size(), "?"))
                + ") AND TRIGGER_NAME LIKE 'studio\\_guard\\_%'")) {
      for (int i = 0; i < schemas.size(); i++) {
        ps.setString(i + 1, schemas.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new String[] {
                rs.getString(1),
                new String(rs.getBytes(2), StandardCharsets.UTF_8),
                new String(rs.getBytes(3), StandardCharsets.UTF_8)
              });
        }
      }
    }
    return out;
  }

  @Override
  public List<String> guardedTables(Connection c) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT DISTINCT EVENT_OBJECT_SCHEMA, EVENT_OBJECT_TABLE FROM"
                    + " information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()"
                    + " AND TRIGGER_NAME LIKE 'studio\\_guard\\_%' ORDER BY 1, 2")) {
      while (rs.next()) {
        out.add(quote(rs.getString(1)) + "." + quote(rs.getString(2)));
      }
    }
    return out;
  }

  @Override
  public String tryWrite(Connection session, String table) throws SQLException {
    boolean autoCommit = session.getAutoCommit();
    session.setAutoCommit(false);
    try (Statement s = session.createStatement()) {
      s.execute("SET TRANSACTION READ WRITE");
      // a row trigger fires only on a row: an update of the first row to itself, or on an empty
      // table an insert of defaults; both rolled back
      String column = firstColumn(session, resolve(session, table));
      int updated =
          s.executeUpdate(
              "UPDATE " + table + " SET " + quote(column) + " = " + quote(column) + " LIMIT 1");
      if (updated == 0) {
        s.executeUpdate("INSERT INTO " + table + " () VALUES ()");
      }
      return null;
    } catch (SQLException refused) {
      return "SQLState " + refused.getSQLState() + ": " + refused.getMessage().strip();
    } finally {
      session.rollback();
      session.setAutoCommit(autoCommit);
    }
  }

  private static String firstColumn(Connection c, Name n) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?"
                + " AND CAST(TABLE_NAME AS BINARY) = CAST(? AS BINARY) ORDER BY ORDINAL_POSITION"
                + " LIMIT 1")) {
      ps.setString(1, n.schema());
      ps.setString(2, n.table());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("table " + n.schema() + "." + n.table() + " not found", "42S02");
        }
        return rs.getString(1);
      }
    }
  }

  private static String openTransactions(Connection c) {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT t.trx_mysql_thread_id, p.USER, p.HOST, t.trx_started,"
                    + " LEFT(COALESCE(t.trx_query, p.INFO, ''), 120)"
                    + " FROM information_schema.INNODB_TRX t"
                    + " LEFT JOIN information_schema.PROCESSLIST p"
                    + " ON p.ID = t.trx_mysql_thread_id"
                    + " WHERE t.trx_mysql_thread_id <> CONNECTION_ID() ORDER BY 1")) {
      List<String> out = new ArrayList<>();
      while (rs.next()) {
        out.add(
            "session "
                + rs.getLong(1)
                + " ("
                + rs.getString(2)
                + "@"
                + rs.getString(3)
                + ", since "
                + rs.getString(4)
                + ": "
                + rs.getString(5).replaceAll("\\s+", " ")
                + ")");
      }
      return out.isEmpty() ? "none any more" : String.join("; ", out);
    } catch (SQLException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }

  /** The guard of {@code event}, qualified with the table's schema (triggers live there). */
  private static String trigger(Name n, String event) {
    return quote(n.schema()) + "." + quote(triggerName(n, event));
  }

  /**
   * {@value #PREFIX} + the table's name (cut to fit 64 characters) + a hash of the exact name, so
   * tables whose names differ only in case or length get distinct triggers.
   */
  static String triggerName(Name n, String event) {
    String hash =
        HexFormat.of()
            .formatHex(
                java.util.Arrays.copyOf(sha256(n.table().getBytes(StandardCharsets.UTF_8)), 4));
    String base = n.table().replaceAll("[^A-Za-z0-9_]", "_");
    int room = 64 - PREFIX.length() - 1 - hash.length() - 2;
    if (base.length() > room) {
      base = base.substring(0, room);
    }
    return PREFIX + base + "_" + hash + "_" + event.substring(0, 1).toLowerCase(Locale.ROOT);
  }

  private static byte[] sha256(byte[] b) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(b);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String message(Name n) {
    String m = n.schema() + "." + n.table() + " is frozen by Migration Studio for a cutover";
    // MESSAGE_TEXT is a string literal: keep it plain
    m = m.replaceAll("[^\\p{L}\\p{N} ._-]", "_");
    return m.length() > 120 ? m.substring(0, 120) : m;
  }

  private static String quote(String identifier) {
    return "`" + identifier.replace("`", "``") + "`";
  }

  /** {@code table} parsed, an unqualified one in the connection's current database. */
  private static Name resolve(Connection c, String table) throws SQLException {
    Name n = Name.parse(table);
    if (n.schema() != null) {
      return n;
    }
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT DATABASE()")) {
      rs.next();
      return new Name(rs.getString(1), n.table());
    }
  }

  /** A table named as {@code `schema`.`table`} or {@code `table`} (backticks doubled inside). */
  record Name(String schema, String table) {
    static Name parse(String quoted) {
      List<String> parts = new ArrayList<>();
      int i = 0;
      while (i < quoted.length()) {
        if (quoted.charAt(i) != '`') {
          throw new IllegalArgumentException("not a quoted table name: " + quoted);
        }
        StringBuilder sb = new StringBuilder();
        i++;
        while (true) {
          if (i >= quoted.length()) {
            throw new IllegalArgumentException("not a quoted table name: " + quoted);
          }
          char ch = quoted.charAt(i);
          if (ch == '`') {
            if (i + 1 < quoted.length() && quoted.charAt(i + 1) == '`') {
              sb.append('`');
              i += 2;
              continue;
            }
            i++;
            break;
          }
          sb.append(ch);
          i++;
        }
        parts.add(sb.toString());
        if (i < quoted.length()) {
          if (quoted.charAt(i) != '.') {
            throw new IllegalArgumentException("not a quoted table name: " + quoted);
          }
          i++;
        }
      }
      if (parts.size() == 1) {
        return new Name(null, parts.get(0)); // in the connection's database
      }
      if (parts.size() != 2) {
        throw new IllegalArgumentException("not a table name: " + quoted);
      }
      return new Name(parts.get(0), parts.get(1));
    }
  }
}
