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
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The cutover's freeze on MariaDB/MySQL: three {@code BEFORE INSERT/UPDATE/DELETE ... FOR EACH ROW}
 * triggers on each table in scope that {@code SIGNAL SQLSTATE '25006'}. Unlike {@code SET GLOBAL
 * read_only} (the whole server, and accounts with READ ONLY ADMIN or SUPER — the very account that
 * can set it — exempt), a trigger binds every account and only these tables: other databases on the
 * server keep taking writes, and no session is ended. {@code TRUNCATE} fires no trigger; it needs
 * the DROP privilege, which application accounts should not hold.
 *
 * <p><b>Made before the freeze, armed by it.</b> {@code CREATE TRIGGER} is DDL: it waits for the
 * metadata lock of every open transaction on the table and takes a few hundred milliseconds per
 * table on a loaded server, all of it inside the write-unavailability window when the triggers are
 * made at the freeze. So {@link #prepare} makes them ahead, with the table's row in {@value #STATE}
 * (in the table's schema) saying {@code armed = 0}: the trigger reads that row with a locking read
 * ({@code LOCK IN SHARE MODE}, the latest committed value whatever the transaction's snapshot) and
 * lets the write through while it is 0. The freeze ({@link #freezeWrites}) is then one {@code
 * UPDATE ... SET armed = 1} per table, autocommitted: it needs the row's exclusive lock, so it
 * waits (up to {@code innodb_lock_wait_timeout}, set to the freeze's lock timeout) for every
 * transaction that has written to the table (each holds the row's shared lock until it ends), and
 * every write after it reads {@code armed = 1} and is refused. One table at a time, so the freeze
 * holds at most one lock and cannot deadlock with a transaction writing to several tables. A
 * missing row counts as armed (the trigger fails closed). Without {@link #prepare} (the drill, a
 * rollback's re-freeze), {@link #freezeWrites} makes what is missing and arms it at once. An
 * account that cannot create {@code studio.guard_state} (no CREATE privilege there) gets the
 * unconditional triggers at the freeze, as before. A timeout removes the guards and names the open
 * transactions. Needs the TRIGGER privilege on the tables (and CREATE, INSERT, UPDATE, DELETE on
 * the {@code studio} database).
 *
 * <p>The one session the guards let through is the studio's reverse applier, marked by its session
 * {@code server_id} ({@link MariaDbApplierSession}), which only an account with BINLOG REPLAY or
 * SUPER can set.
 */
final class MariaDbWriteFreeze implements WriteFreeze {
  static final String PREFIX = "studio_guard_";

  /**
   * The guard state: one row per guarded table, in the studio's own database (the reverse stream's
   * bookkeeping lives there too), so that an application account granted DML on its database cannot
   * turn a guard off; the triggers run with their definer's privileges and read it all the same.
   */
  static final String STATE = "`studio`.`guard_state`";

  private static final String[] EVENTS = {"INSERT", "UPDATE", "DELETE"};

  /**
   * The tables whose guards {@link #prepare} made ahead on this instance (the cutover keeps one for
   * its run): their freeze only arms them, with no catalogue query or DDL inside the window. The
   * cutover's check after the freeze finds a guard removed in between.
   */
  private List<String> madeAhead = List.of();

  @Override
  public boolean preparesAhead() {
    return true;
  }

  @Override
  public String prepare(Connection c, List<String> tables, Duration lockTimeout)
      throws SQLException {
    List<Name> names = names(c, tables);
    if (!stateTable(c)) {
      return null;
    }
    try (Statement s = c.createStatement()) {
      lockWait(s, lockTimeout);
      int made = makeGuards(c, s, tables, names, false);
      madeAhead = List.copyOf(tables);
      return "the write guards of the "
          + tables.size()
          + " tables made ahead ("
          + made
          + " triggers created), letting writes through until the freeze arms them";
    } catch (SQLException e) {
      String open = openTransactions(c);
      unfreezeWrites(c, tables);
      throw timeout(e, lockTimeout, open);
    }
  }

  @Override
  public void freezeWrites(Connection c, List<String> tables, Duration lockTimeout)
      throws SQLException {
    List<Name> names = names(c, tables);
    boolean ahead = madeAhead.equals(tables);
    madeAhead = List.of();
    boolean armable = ahead || stateTable(c);
    try (Statement s = c.createStatement()) {
      lockWait(s, lockTimeout);
      try {
        if (!ahead) {
          makeGuards(c, s, tables, names, !armable);
        }
        if (armable) {
          // one autocommitted statement per table: each waits for the writers of its table only
          for (Name n : names) {
            try (PreparedStatement ps =
                c.prepareStatement(
                    "UPDATE "
                        + STATE
                        + " SET armed = 1 WHERE table_schema = CAST(? AS BINARY)"
                        + " AND table_name = CAST(? AS BINARY)")) {
              ps.setString(1, n.schema());
              ps.setString(2, n.table());
              ps.executeUpdate();
            }
          }
        }
      } catch (SQLException e) {
        String open = openTransactions(c);
        unfreezeWrites(c, tables);
        throw timeout(e, lockTimeout, open);
      }
    }
  }

  private static void lockWait(Statement s, Duration lockTimeout) throws SQLException {
    long seconds = Math.max(1, (lockTimeout.toMillis() + 999) / 1000);
    s.execute("SET SESSION lock_wait_timeout = " + seconds);
    s.execute("SET SESSION innodb_lock_wait_timeout = " + seconds);
  }

  private static SQLException timeout(SQLException e, Duration lockTimeout, String open) {
    if (e.getErrorCode() == 1205) { // ER_LOCK_WAIT_TIMEOUT: metadata lock or the state row
      return new SQLException(
          "the freeze waited "
              + lockTimeout.toMillis()
              + " ms for transactions using the tables in scope and gave up; open transactions: "
              + open
              + ". Let them finish (or end them) and run the cutover again",
          e.getSQLState(),
          e.getErrorCode(),
          e);
    }
    return e;
  }

  /**
   * Creates the guards that are missing or of another kind ({@code unconditional}: refusing at
   * once; else reading the state row), and the state rows that are missing ({@code armed = 0}; a
   * row already there keeps its value). Returns the number of triggers created.
   */
  private static int makeGuards(
      Connection c, Statement s, List<String> tables, List<Name> names, boolean unconditional)
      throws SQLException {
    Map<String, Boolean> existing = guards(c, names); // schema.trigger -> reads the state row
    int made = 0;
    for (int i = 0; i < tables.size(); i++) {
      String t = tables.get(i);
      Name n = names.get(i);
      if (!unconditional) {
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT IGNORE INTO "
                    + STATE
                    + " (table_schema, table_name, armed) VALUES (?, ?, 0)")) {
          ps.setString(1, n.schema());
          ps.setString(2, n.table());
          ps.executeUpdate();
        }
      }
      for (String event : EVENTS) {
        Boolean stateful = existing.get(n.schema() + "." + triggerName(n, event));
        if (stateful != null && stateful == !unconditional) {
          continue; // already the guard this freeze needs
        }
        if (stateful != null) {
          s.execute("DROP TRIGGER IF EXISTS " + trigger(n, event));
        }
        s.execute(
            "CREATE TRIGGER "
                + trigger(n, event)
                + " BEFORE "
                + event
                + " ON "
                + t
                + " FOR EACH ROW "
                + (unconditional ? refusing(n) : armedOnly(n)));
        made++;
      }
    }
    return made;
  }

  /** The trigger body of the guard made at the freeze: refuses every session but the applier's. */
  private static String refusing(Name n) {
    return "IF @@session.server_id <> "
        + MariaDbApplierSession.SERVER_ID
        + " THEN SIGNAL SQLSTATE '25006' SET MESSAGE_TEXT = '"
        + message(n)
        + "'; END IF";
  }

  /**
   * The trigger body of a guard made ahead: refuses once the table's state row says armed (or is
   * missing), read with a shared lock so that the arming waits for this transaction.
   */
  private static String armedOnly(Name n) {
    return "BEGIN DECLARE studio_armed INT DEFAULT 1; IF @@session.server_id <> "
        + MariaDbApplierSession.SERVER_ID
        + " THEN SELECT armed INTO studio_armed FROM "
        + STATE
        + " WHERE table_schema = CAST("
        + literal(n.schema())
        + " AS BINARY) AND table_name = CAST("
        + literal(n.table())
        + " AS BINARY) LOCK IN SHARE MODE; IF studio_armed <> 0 THEN SIGNAL SQLSTATE '25006'"
        + " SET MESSAGE_TEXT = '"
        + message(n)
        + "'; END IF; END IF; END";
  }

  /**
   * Creates {@code studio.guard_state} when missing; false when this account may not (the guards
   * are then made unconditional, at the freeze).
   */
  private static boolean stateTable(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE IF NOT EXISTS `studio`");
      s.execute(
          "CREATE TABLE IF NOT EXISTS "
              + STATE
              + " (table_schema VARBINARY(256) NOT NULL, table_name VARBINARY(256) NOT NULL,"
              + " armed TINYINT NOT NULL, PRIMARY KEY (table_schema, table_name)) ENGINE=InnoDB");
      return true;
    } catch (SQLException e) {
      if (e.getErrorCode() == 1142 || e.getErrorCode() == 1044) { // no CREATE privilege
        return false;
      }
      throw e;
    }
  }

  private static String literal(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
  }

  private static List<Name> names(Connection c, List<String> tables) throws SQLException {
    List<Name> names = new ArrayList<>();
    for (String t : tables) {
      names.add(resolve(c, t));
    }
    return names;
  }

  @Override
  public void unfreezeWrites(Connection c, List<String> tables) throws SQLException {
    List<Name> names = names(c, tables);
    try (Statement s = c.createStatement()) {
      for (Name n : names) {
        for (String event : EVENTS) {
          s.execute("DROP TRIGGER IF EXISTS " + trigger(n, event));
        }
      }
      if (stateExists(c)) {
        for (Name n : names) {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "DELETE FROM "
                      + STATE
                      + " WHERE table_schema = CAST(? AS BINARY) AND table_name = CAST(? AS BINARY)")) {
            ps.setString(1, n.schema());
            ps.setString(2, n.table());
            ps.executeUpdate();
          }
        }
      }
    }
  }

  /**
   * Deletes the rows of the connection's database whose table carries no guard reading them, then
   * drops {@code studio.guard_state} when no row and no guard of the server is left on it (a guard
   * reading a missing table would refuse every write with "table doesn't exist" instead of SQLState
   * 25006), then the {@code studio} database when it holds no table any more (the reverse stream's
   * bookkeeping, while there, keeps it: the decommission removes that).
   */
  @Override
  public List<String> removeState(Connection c) throws SQLException {
    List<String> out = new ArrayList<>();
    if (!stateExists(c)) {
      return out;
    }
    try (Statement s = c.createStatement()) {
      int stale =
          s.executeUpdate(
              "DELETE FROM "
                  + STATE
                  + " WHERE table_schema = CAST(DATABASE() AS BINARY) AND NOT EXISTS (SELECT 1"
                  + " FROM information_schema.TRIGGERS t WHERE t.TRIGGER_SCHEMA = DATABASE()"
                  + " AND CAST(t.EVENT_OBJECT_TABLE AS BINARY) = "
                  + STATE
                  + ".table_name AND t.TRIGGER_NAME LIKE 'studio\\_guard\\_%'"
                  + " AND t.ACTION_STATEMENT LIKE '%guard\\_state%')");
      if (stale > 0) {
        out.add(stale + " stale rows of studio.guard_state");
      }
      if (count(s, "SELECT count(*) FROM " + STATE) > 0
          || count(
                  s,
                  "SELECT count(*) FROM information_schema.TRIGGERS WHERE TRIGGER_NAME LIKE"
                      + " 'studio\\_guard\\_%' AND ACTION_STATEMENT LIKE '%guard\\_state%'")
              > 0) {
        return out; // another freeze still reads it
      }
      s.execute("DROP TABLE IF EXISTS " + STATE);
      out.add("studio.guard_state");
      if (count(s, "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'studio'")
          == 0) {
        s.execute("DROP DATABASE IF EXISTS `studio`");
        out.add("the studio database");
      }
    }
    return out;
  }

  private static long count(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static boolean stateExists(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'studio'"
                    + " AND TABLE_NAME = 'guard_state'")) {
      rs.next();
      return rs.getLong(1) > 0;
    }
  }

  /**
   * A table is guarded when the three guards of its name are on it and its state row, if any, is
   * armed. One query for all tables' triggers and one per schema for the state (this check runs
   * inside the cutover's window).
   */
  @Override
  public List<String> unguarded(Connection c, List<String> tables) throws SQLException {
    List<Name> names = names(c, tables);
    Set<String> on = new HashSet<>();
    for (String[] g : guardRows(c, names)) {
      on.add(g[0] + "." + g[1] + "/" + g[2]);
    }
    Set<String> disarmed = new HashSet<>();
    if (stateExists(c)) {
      try (Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT table_schema, table_name FROM " + STATE + " WHERE armed = 0")) {
        while (rs.next()) {
          disarmed.add(
              new String(rs.getBytes(1), StandardCharsets.UTF_8)
                  + "/"
                  + new String(rs.getBytes(2), StandardCharsets.UTF_8));
        }
      }
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < tables.size(); i++) {
      Name n = names.get(i);
      if (disarmed.contains(n.schema() + "/" + n.table())) {
        out.add(tables.get(i));
        continue;
      }
      for (String event : EVENTS) {
        if (!on.contains(n.schema() + "." + triggerName(n, event) + "/" + n.table())) {
          out.add(tables.get(i));
          break;
        }
      }
    }
    return out;
  }

  /**
   * {@code schema.trigger} of every studio guard in the schemas of {@code names}, and whether it
   * reads the state row (made ahead) or refuses at once.
   */
  private static Map<String, Boolean> guards(Connection c, List<Name> names) throws SQLException {
    Map<String, Boolean> out = new HashMap<>();
    for (String[] g : guardRows(c, names)) {
      out.put(g[0] + "." + g[1], g[3].contains("guard_state"));
    }
    return out;
  }

  /** {schema, trigger, table, body} of every studio guard in the schemas of {@code names}. */
  private static List<String[]> guardRows(Connection c, List<Name> names) throws SQLException {
    List<String> schemas = names.stream().map(Name::schema).distinct().toList();
    List<String[]> out = new ArrayList<>();
    if (schemas.isEmpty()) {
      return out;
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT TRIGGER_SCHEMA, CAST(TRIGGER_NAME AS BINARY),"
                + " CAST(EVENT_OBJECT_TABLE AS BINARY), ACTION_STATEMENT"
                + " FROM information_schema.TRIGGERS"
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
                new String(rs.getBytes(3), StandardCharsets.UTF_8),
                rs.getString(4) == null ? "" : rs.getString(4)
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
