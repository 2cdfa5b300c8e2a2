package io.migrationstudio.core.dialect.postgres;

import io.migrationstudio.core.dialect.Dialect.WriteFreeze;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The cutover's freeze on PostgreSQL: a statement-level {@code BEFORE INSERT OR UPDATE OR DELETE OR
 * TRUNCATE} trigger on each table in scope that raises SQLState 25006 (read-only transaction). A
 * trigger binds every role, table owners and superusers included, whatever the session sets ({@code
 * default_transaction_read_only}, {@code BEGIN READ WRITE}, {@code PGOPTIONS}), and touches no
 * other table or database. Only a session that turns triggers off on purpose ({@code
 * session_replication_role = replica}, which needs superuser or a grant; logical replication's
 * apply workers run so) passes — which is also how a reverse applier goes through.
 *
 * <p>All triggers are created in one transaction of the control session with {@code lock_timeout}:
 * {@code CREATE TRIGGER} takes a lock that waits for every transaction that has written to the
 * table, so when the freeze commits no transaction is still writing to a table in scope. A timeout
 * names the sessions holding write locks on those tables. Needs the TRIGGER privilege (or
 * ownership) on the tables and CREATE on their schemas (for the guard function {@value #GUARD}).
 */
final class PostgresWriteGuard implements WriteFreeze {
  static final String GUARD = "studio_write_guard";

  private final PostgresDialect dialect;

  PostgresWriteGuard(PostgresDialect dialect) {
    this.dialect = dialect;
  }

  @Override
  public void freezeWrites(Connection c, List<String> tables, Duration lockTimeout)
      throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      s.execute("SET LOCAL lock_timeout = '" + Math.max(1, lockTimeout.toMillis()) + "ms'");
      for (String schema : schemasOf(c, tables)) {
        s.execute(
            "CREATE OR REPLACE FUNCTION "
                + dialect.qualify(schema, GUARD)
                + "() RETURNS trigger LANGUAGE plpgsql AS $guard$ BEGIN RAISE EXCEPTION USING"
                + " ERRCODE = '25006', MESSAGE = format('%I.%I is frozen by Migration Studio for a"
                + " cutover: writes go to the new database', TG_TABLE_SCHEMA, TG_TABLE_NAME); END"
                + " $guard$");
      }
      for (String t : tables) {
        s.execute("DROP TRIGGER IF EXISTS " + GUARD + " ON " + t);
        s.execute(
            "CREATE TRIGGER "
                + GUARD
                + " BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON "
                + t
                + " FOR EACH STATEMENT EXECUTE FUNCTION "
                + dialect.qualify(schemaOf(c, t), GUARD)
                + "()");
      }
      c.commit();
    } catch (SQLException e) {
      c.rollback();
      if ("55P03".equals(e.getSQLState())) {
        throw new SQLException(
            "the freeze waited "
                + lockTimeout.toMillis()
                + " ms for transactions writing to the tables in scope and gave up; they are: "
                + writers(c, tables)
                + ". Let them finish (or end them) and run the cutover again",
            e.getSQLState(),
            e);
      }
      throw e;
    } finally {
      c.setAutoCommit(autoCommit);
    }
  }

  @Override
  public void unfreezeWrites(Connection c, List<String> tables) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      // a session opened while the database was read-only by default (older freezes) can still
      // remove the guards
      s.execute("SET TRANSACTION READ WRITE");
      Set<String> schemas = schemasOf(c, tables);
      for (String t : tables) {
        s.execute("DROP TRIGGER IF EXISTS " + GUARD + " ON " + t);
      }
      for (String schema : schemas) {
        s.execute("SAVEPOINT guard_fn");
        try {
          s.execute("DROP FUNCTION IF EXISTS " + dialect.qualify(schema, GUARD) + "()");
          s.execute("RELEASE SAVEPOINT guard_fn");
        } catch (SQLException stillUsed) {
          // another migration's freeze on a table of this schema still uses it
          s.execute("ROLLBACK TO SAVEPOINT guard_fn");
        }
      }
      c.commit();
    } catch (SQLException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(autoCommit);
    }
  }

  @Override
  public List<String> unguarded(Connection c, List<String> tables) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = ?::regclass AND tgname = ?"
                + " AND tgenabled <> 'D'")) {
      for (String t : tables) {
        ps.setString(1, t);
        ps.setString(2, GUARD);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getLong(1) == 0) {
            out.add(t);
          }
        }
      }
    }
    return out;
  }

  @Override
  public List<String> guardedTables(Connection c) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT DISTINCT n.nspname, k.relname FROM pg_trigger t"
                + " JOIN pg_class k ON k.oid = t.tgrelid"
                + " JOIN pg_namespace n ON n.oid = k.relnamespace"
                + " WHERE t.tgname = ? ORDER BY 1, 2")) {
      ps.setString(1, GUARD);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(dialect.qualify(rs.getString(1), rs.getString(2)));
        }
      }
    }
    return out;
  }

  @Override
  public String tryWrite(Connection session, String table) throws SQLException {
    boolean autoCommit = session.getAutoCommit();
    session.setAutoCommit(false);
    try (Statement s = session.createStatement()) {
      // as an application might: insist on a writable transaction, then write (no row matches;
      // the statement-level guard fires all the same)
      s.execute("SET TRANSACTION READ WRITE");
      s.execute("DELETE FROM " + table + " WHERE false");
      return null;
    } catch (SQLException refused) {
      return "SQLState " + refused.getSQLState() + ": " + refused.getMessage().strip();
    } finally {
      session.rollback();
      session.setAutoCommit(autoCommit);
    }
  }

  private static Set<String> schemasOf(Connection c, List<String> tables) throws SQLException {
    Set<String> out = new LinkedHashSet<>();
    for (String t : tables) {
      out.add(schemaOf(c, t));
    }
    return out;
  }

  private static String schemaOf(Connection c, String table) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT n.nspname FROM pg_class k JOIN pg_namespace n ON n.oid = k.relnamespace"
                + " WHERE k.oid = ?::regclass")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  /** Sessions holding a write lock on one of the tables, with their query. */
  private static String writers(Connection c, List<String> tables) {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT DISTINCT a.pid, a.usename, a.application_name, a.state,"
                + " left(regexp_replace(a.query, '\\s+', ' ', 'g'), 120)"
                + " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                + " WHERE l.relation = ANY (?::regclass[]) AND l.pid <> pg_backend_pid()"
                + " AND l.mode IN ('RowExclusiveLock', 'ShareRowExclusiveLock', 'ExclusiveLock',"
                + " 'AccessExclusiveLock') ORDER BY 1")) {
      ps.setArray(1, c.createArrayOf("text", tables.toArray()));
      List<String> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              "pid "
                  + rs.getInt(1)
                  + " ("
                  + rs.getString(2)
                  + ", "
                  + (rs.getString(3) == null || rs.getString(3).isEmpty() ? "-" : rs.getString(3))
                  + ", "
                  + rs.getString(4)
                  + ": "
                  + rs.getString(5)
                  + ")");
        }
      }
      return out.isEmpty() ? "none any more" : String.join("; ", out);
    } catch (SQLException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }
}
